#!/usr/bin/env bash
# The README's API tour as one script: every command of its "API tour", "Labels" and
# "Printers and print jobs" blocks, in the same order, each answer checked.
#
#   make run                  # in one shell: the service on http://127.0.0.1:8000
#   bash docs/tour.sh         # in another, from the same checkout
#
# Environment: H (the service, default http://127.0.0.1:8000); L (the CLI, default
# .venv/bin/labelsvc, run with the service's LABELSVC_* environment, so that the tokens it
# makes are the service's); P3, C3, P4, C4 (the raw TCP and control ports of the two virtual
# printers this script starts and stops, default 9100, 9180, 9101, 9181).
# It expects a fresh registry (it defines pump-serial, case-50x25, byo-76x25, line-3, line-4)
# and ends with "tour: all steps passed". The README's blocks are copied from this file, and
# tests/system/test_tour.py checks that they stay so.
set -euo pipefail

say() { echo "tour: $*"; }
fail() { echo "tour: FAILED: $*" >&2; exit 1; }
# failed LINE COMMAND: say which command stopped the tour (a failing function names its line)
failed() {
    local command=$2
    [ "$command" = "return 1" ] && command=$(sed -n "$1p" "${BASH_SOURCE[0]}")
    echo "tour: FAILED at ${BASH_SOURCE[0]} line $1: $command" >&2
}
trap 'failed $LINENO "$BASH_COMMAND"' ERR

command -v jq >/dev/null || fail "jq is missing; the tour reads the service's answers with it:
  sudo apt-get install jq     (Debian, Ubuntu; brew install jq on macOS)"
command -v curl >/dev/null || fail "curl is missing: sudo apt-get install curl"
command curl -sS --fail-with-body -o /dev/null file:///dev/null 2>/dev/null \
    || fail "curl 7.76 or newer is needed (--fail-with-body); this one is $(curl --version | head -1)"

SIMS=""
trap 'if [ -n "$SIMS" ]; then kill $SIMS 2>/dev/null || true; fi' EXIT

# wait_job ID STATUS: poll a print job until it reaches STATUS (at most a minute)
wait_job() {
    local status=""
    for _ in $(seq 1 120); do
        status=$(command curl -sS --fail-with-body "$H/api/v1/print-jobs/$1" \
                 -H "Authorization: Bearer $LINE" | jq -r .status) || fail "print job $1 unreadable"
        [ "$status" = "$2" ] && return 0
        case $status in done|cancelled|failed) break ;; esac
        sleep 0.5
    done
    fail "print job $1 is $status, not $2: $(command curl -sS "$H/api/v1/print-jobs/$1" \
         -H "Authorization: Bearer $LINE")"
}

# expect URL CONDITION: the answer at URL (GET, the line's token) satisfies a jq condition
expect() {
    local answer
    answer=$(command curl -sS --fail-with-body "$1" -H "Authorization: Bearer $LINE") \
        || fail "GET $1 answered: $answer"
    jq -e "$2" >/dev/null <<<"$answer" || fail "GET $1 does not satisfy $2: $answer"
}

# start_printer PORT CONTROL-PORT: wait until the virtual printer just started (pid $!) answers
start_printer() {
    local pid=$! _
    SIMS="$SIMS $pid"
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || fail "the virtual printer on ports $1 and $2 did not start \
(taken? set P3, C3, P4, C4 to free ports)"
        command curl -s -o /dev/null "http://127.0.0.1:$2/state" && return 0
        sleep 0.1
    done
    fail "the virtual printer on ports $1 and $2 does not answer"
}

# port_free PORT: fail when something listens on a port the tour wants
port_free() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        fail "something already listens on port $1 (a virtual printer left running?); stop it \
or set P3, C3, P4, C4 to free ports"
    fi
}

L=${L:-.venv/bin/labelsvc}      # the CLI, with the same LABELSVC_* environment as the service
H=${H:-http://127.0.0.1:8000}; J='Content-Type: application/json'
curl() {                        # -sS: no progress meter; an error answer stops here, shown
    local answer
    answer=$(command curl -sS --fail-with-body -m 60 "$@") || { echo "$answer" >&2; return 1; }
    echo "$answer"
}

command curl -sS --fail-with-body -o /dev/null --max-time 10 "$H/readyz" \
    || fail "no service answers 200 at $H/readyz; start one (make run) or set H"

ADMIN=$($L token create --role admin --name alice)
LINE=$($L token create --role line --name line-7)
RECV=$($L token create --role receiver --name dock-2)

case $(command curl -s -o /dev/null -w '%{http_code}' "$H/api/v1/schemes/pump-serial" \
       -H "Authorization: Bearer $ADMIN") in
    404) ;;
    200) fail "this registry holds pump-serial already (an earlier tour?); the tour needs a \
fresh one: start the service on an empty data directory (LABELSVC_DATA_DIR=/tmp/tour-2 make run) \
and run the tour with the same LABELSVC_DATA_DIR" ;;
    401) fail "the service refuses the tokens $L made: run the tour with the service's \
LABELSVC_* environment (the same checkout, LABELSVC_DATA_DIR or LABELSVC_DATABASE_URL)" ;;
    *) fail "GET $H/api/v1/schemes/pump-serial answered unexpectedly" ;;
esac

# An admin defines a numbering scheme (422 with the rule it breaks, 409 if it overlaps another)
curl -X POST $H/api/v1/schemes -H "Authorization: Bearer $ADMIN" -H "$J" -d '{
  "name": "pump-serial", "kind": "serial",
  "pattern": "P{model}{site}{GG}{WW}{seq:4}{check:luhn}",
  "codes": {"model": {"PUMP-S": "1", "PUMP-L": "2"}, "site": {"munich": "7", "austin": "3"}},
  "timezone": "Europe/Berlin", "warranty_days": 730}'

# See the next values without using them
curl -X POST $H/api/v1/schemes/pump-serial/preview -H "Authorization: Bearer $LINE" -H "$J" \
     -d '{"fields": {"model": "PUMP-S", "site": "munich"}, "count": 3}'
NEXT=$(command curl -sS --fail-with-body -X POST "$H/api/v1/schemes/pump-serial/preview" \
       -H "Authorization: Bearer $LINE" -H "$J" \
       -d '{"fields": {"model": "PUMP-S", "site": "munich"}, "count": 1}' | jq -er '.identifiers[0]')

# The dock receives an unlabeled pallet: an internal lot beside the supplier's lot
LOT=$(curl -X POST $H/api/v1/lots -H "Authorization: Bearer $RECV" -H "$J" -d '{
  "scheme": "acme-lot", "fields": {"site": "munich", "line": "R"}, "quantity": 500,
  "uom": "pcs", "expiry": "2027-06-30",
  "attributes": {"supplier": "Bolt GmbH", "supplier_lot": "B-4471"}}' \
  | jq -er '.identifiers[0].value')
echo "lot $LOT"                 # it carries today's date

# A line issues two serials into that lot; a retry with the same key issues nothing new
SERIAL=$(curl -X POST $H/api/v1/serials -H "Authorization: Bearer $LINE" -H "$J" \
     -H 'Idempotency-Key: line7-0001' -d "{\"scheme\": \"pump-serial\",
     \"fields\": {\"model\": \"PUMP-S\", \"site\": \"munich\"}, \"count\": 2, \"lot\": \"$LOT\"}" \
  | jq -er '.identifiers[0].value')
echo "serial $SERIAL"           # the first of the two
[ "$SERIAL" = "$NEXT" ] || fail "issued $SERIAL, but the preview showed $NEXT next"
RETRY=$(command curl -sS --fail-with-body -X POST $H/api/v1/serials -H "Authorization: Bearer $LINE" -H "$J" \
     -H 'Idempotency-Key: line7-0001' -d "{\"scheme\": \"pump-serial\",
     \"fields\": {\"model\": \"PUMP-S\", \"site\": \"munich\"}, \"count\": 2, \"lot\": \"$LOT\"}" \
  | jq -er '.identifiers[0].value')      # the same request again, byte for byte
[ "$RETRY" = "$SERIAL" ] || fail "the retry with the same key answered $RETRY, not $SERIAL"
expect "$H/api/v1/identifiers?scheme=pump-serial" '.items | length == 2'

# Look it up: record, events, lot, components, what the value parses to
curl $H/api/v1/identifiers/$SERIAL -H "Authorization: Bearer $LINE"
curl -X POST $H/api/v1/identifiers/$SERIAL/events -H "Authorization: Bearer $LINE" -H "$J" \
     -d '{"type": "shipped", "data": {"customer": "ACME Water"}}'   # starts the warranty
expect "$H/api/v1/identifiers/$SERIAL" \
    '.status == "shipped" and .lot_record.value == "'"$LOT"'" and .warranty.status == "active"'

# Recall: everything that contains the lot, transitively, with its status
curl "$H/api/v1/recall?identifier=$LOT" -H "Authorization: Bearer $LINE"
expect "$H/api/v1/recall?identifier=$LOT" 'any(.items[]; .value == "'"$SERIAL"'")'

# A scanner's raw text: GS1 element string, parenthesised HRI, Digital Link URI or a value
curl -X POST $H/api/v1/scan -H "Authorization: Bearer $LINE" -H "$J" \
     -d "{\"data\": \"(10)$LOT(21)$SERIAL\"}"

# Search and export: every serial of the scheme as CSV
curl "$H/api/v1/identifiers?scheme=pump-serial" -H "Authorization: Bearer $LINE" \
     -H 'Accept: text/csv'
say "API tour passed"

# Templates: admins write, every role reads (shipped ones can be overridden by a stored version)
curl $H/api/v1/templates -H "Authorization: Bearer $LINE"
curl -X POST $H/api/v1/templates -H "Authorization: Bearer $ADMIN" -H "$J" -d '{
  "name": "case-50x25", "width_mm": 50.8, "height_mm": 25.4, "dpi": 203, "elements": [
    {"type": "barcode", "symbology": "gs1-qr", "x_mm": 4, "y_mm": 3, "module_mm": 0.5,
     "value": "(01){attributes.gtin}(21){value}"}]}'
# Bring your own ZPL from another designer: placeholders in ^FD data are filled and escaped
curl -X POST $H/api/v1/templates -H "Authorization: Bearer $ADMIN" -H "$J" -d '{
  "name": "byo-76x25", "width_mm": 76.2, "height_mm": 25.4, "dpi": 203,
  "zpl": "^XA^FO20,20^A0N,24,24^FDLot {lot}^FS^FO20,60^BY2^BCN,80,N,N,N^FD{value}^FS^XZ"}'
# Render issued identifiers (whole, or a 422 keyed elements[i] / identifiers[j])
curl -X POST $H/api/v1/labels/render -H "Authorization: Bearer $LINE" -H "$J" \
     -d "{\"template\": \"serial-50x25\", \"format\": \"pdf\", \"dpi\": 300,
          \"identifiers\": [\"$SERIAL\"]}" -o labels.pdf
# Preview image (sample data, or ?identifier=VALUE)
curl "$H/api/v1/templates/gs1-logistic-100x150/preview.png?dpi=203" \
     -H "Authorization: Bearer $LINE" -o preview.png
[ "$(head -c 5 labels.pdf)" = "%PDF-" ] || fail "labels.pdf is not a PDF"
[ "$(head -c 4 preview.png | tail -c 3)" = "PNG" ] || fail "preview.png is not a PNG"
expect "$H/api/v1/templates" \
    'any(.items[]; .name == "case-50x25") and any(.items[]; .name == "byo-76x25")'
say "labels passed"

# Two virtual printers stand in for lines 3 and 4 (raw TCP like a Zebra, and a control port)
P3=${P3:-9100} C3=${C3:-9180} P4=${P4:-9101} C4=${C4:-9181}
for port in $P3 $C3 $P4 $C4; do port_free "$port"; done
$L printer-sim --port $P3 --control-port $C3 &
start_printer "$P3" "$C3"
$L printer-sim --port $P4 --control-port $C4 &
start_printer "$P4" "$C4"
SIM3=http://127.0.0.1:$C3 SIM4=http://127.0.0.1:$C4
curl -X POST $H/api/v1/printers -H "Authorization: Bearer $ADMIN" -H "$J" -d '{
  "name": "line-3", "driver": "zpl-tcp", "host": "127.0.0.1", "port": '$P3', "dpi": 203,
  "site": "munich", "line": "3"}'
curl -X POST $H/api/v1/printers -H "Authorization: Bearer $ADMIN" -H "$J" -d '{
  "name": "line-4", "driver": "zpl-tcp", "host": "127.0.0.1", "port": '$P4', "dpi": 203,
  "site": "munich", "line": "4"}'
# Issue and print in one request (the job is created in the issuing transaction)
JOB=$(curl -X POST $H/api/v1/serials -H "Authorization: Bearer $LINE" -H "$J" -d '{
  "scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"}, "count": 20,
  "print": {"printer": "line-3", "template": "serial-50x25", "copies": 1}}' \
  | jq -er .print_job.id)
curl $H/api/v1/print-jobs/$JOB -H "Authorization: Bearer $LINE"         # again until "done"
wait_job "$JOB" done
curl $H/api/v1/print-jobs/$JOB/labels -H "Authorization: Bearer $LINE"  # pending|sent|printed|unknown|cancelled
curl $H/api/v1/printers/line-3/status -H "Authorization: Bearer $LINE"  # the last ~HS answer read
expect "$H/api/v1/print-jobs/$JOB/labels?limit=1000" \
    '(.items | length == 20) and all(.items[]; .state == "printed")'
expect "$SIM3/state" '.printed == 20'
# Line 3 runs out of paper (the virtual printer then stays silent to ~HS, as a real one does):
# its next job is held after the 3 s ~HS timeout, and later jobs for line 3 wait behind it
curl -X POST $SIM3/fault -H "$J" -d '{"mode": "paper-out"}'
HELD=$(curl -X POST $H/api/v1/serials -H "Authorization: Bearer $LINE" -H "$J" -d '{
  "scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"}, "count": 5,
  "print": {"printer": "line-3", "template": "serial-50x25", "copies": 1}}' \
  | jq -er .print_job.id)
wait_job "$HELD" held
curl "$H/api/v1/print-jobs?printer=line-3&status=held" -H "Authorization: Bearer $LINE"
expect "$H/api/v1/print-jobs?printer=line-3&status=held" "[.items[].id] == [$HELD]"
# Cancel the waiting job (200; one printing stops before its next label: 202), print it on line 4
curl -X POST $H/api/v1/print-jobs/$HELD/cancel -H "Authorization: Bearer $LINE"
expect "$H/api/v1/print-jobs/$HELD/labels" 'all(.items[]; .state == "cancelled")'
AGAIN=$(curl -X POST $H/api/v1/print-jobs/$HELD/reprint -H "Authorization: Bearer $LINE" -H "$J" \
     -d '{"printer": "line-4"}' | jq -er .id)
curl $H/api/v1/print-jobs/$AGAIN -H "Authorization: Bearer $LINE"       # again until "done"
wait_job "$AGAIN" done
expect "$H/api/v1/print-jobs/$AGAIN" ".reprint_of == $HELD and .printer == \"line-4\" and .printed == 5"
expect "$SIM4/state" '.printed == 5'
# Paper loaded again: clear the fault (or one mode: {"mode": "paper-out"}); line 3 prints again
curl -X POST $SIM3/clear -H "$J" -d '{}'
LAST=$(curl -X POST $H/api/v1/print-jobs -H "Authorization: Bearer $LINE" -H "$J" \
     -d "{\"printer\": \"line-3\", \"template\": \"serial-50x25\", \"identifiers\": [\"$SERIAL\"]}" \
  | jq -er .id)
wait_job "$LAST" done
curl $H/api/v1/printers/line-3/status -H "Authorization: Bearer $LINE"  # ready again, once LAST is done
expect "$H/api/v1/printers/line-3/status" '.ready == true and .reason == null'
expect "$SIM3/state" '.faults == [] and .printed == 21'
say "printers and print jobs passed"

say "all steps passed"
