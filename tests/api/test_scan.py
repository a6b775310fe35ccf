"""Parse and scan: values read back, GS1 in all its scanned forms."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("api-scan")
GS = "\x1d"


@pytest.fixture(scope="module")
def issued(api):
    """An SSCC, a lot and a serial in the registry."""
    sscc = api.post("/api/v1/serials", {"scheme": "sscc", "fields": {
        "ext": "0", "company_prefix": "123456789"}}, role="line").get_json()["identifiers"][0]
    api.post("/api/v1/schemes", {"name": "scan-lot", "kind": "lot", "pattern": "SL{seq:4}"})
    api.post("/api/v1/schemes", {"name": "scan-ser", "kind": "serial", "pattern": "SN{seq:6}"})
    lot = api.post("/api/v1/lots", {"scheme": "scan-lot"}, role="receiver").get_json()
    serial = api.post("/api/v1/serials", {"scheme": "scan-ser"}, role="line").get_json()
    return {"sscc": sscc["value"], "lot": lot["identifiers"][0]["value"],
            "serial": serial["identifiers"][0]["value"]}


def test_parse_registered_and_unregistered(api, issued):
    r = api.post("/api/v1/parse", {"value": issued["sscc"]}, role="viewer").get_json()
    assert r["registered"] and r["scheme"] == "sscc" and r["version"] == 1
    assert r["check_ok"] is True and r["seq"] == 1
    assert r["fields"] == {"ext": "0", "company_prefix": "123456789"}
    bad_check = issued["sscc"][:-1] + str((int(issued["sscc"][-1]) + 1) % 10)
    r = api.post("/api/v1/parse", {"value": bad_check}, role="viewer").get_json()
    assert not r["registered"] and r["scheme"] == "sscc" and r["check_ok"] is False
    r = api.post("/api/v1/parse", {"value": "???"}, role="viewer").get_json()
    assert r["scheme"] is None and r["matches"] == []


@pytest.mark.parametrize("template", [
    "]C100{sscc}10{lot}" + GS + "21{serial}",
    "]d200{sscc}10{lot}" + GS + "21{serial}",
    "]Q300{sscc}10{lot}" + GS + "21{serial}",
    "00{sscc}10{lot}" + GS + "21{serial}",
    "(00){sscc}(10){lot}(21){serial}",
])
def test_scan_gs1_finds_every_record(api, issued, template):
    r = api.post("/api/v1/scan", {"data": template.format(**issued)}, role="viewer")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert [e["ai"] for e in body["element_strings"]] == ["00", "10", "21"]
    assert {rec["value"] for rec in body["records"]} == set(issued.values())
    assert len(body["parsed"]) == 3


def test_scan_digital_link_and_plain(api, issued):
    link = f"https://id.gs1.org/01/09506000134352/10/{issued['lot']}/21/{issued['serial']}"
    body = api.post("/api/v1/scan", {"data": link}, role="viewer").get_json()
    assert body["symbology"] == "gs1-digital-link"
    assert {r["value"] for r in body["records"]} == {issued["lot"], issued["serial"]}
    plain = api.post("/api/v1/scan", {"data": issued["serial"] + "\r\n"}, role="viewer").get_json()
    assert plain["symbology"] == "plain" and plain["element_strings"] == []
    assert [r["value"] for r in plain["records"]] == [issued["serial"]]
    code128 = api.post("/api/v1/scan", {"data": "]C0" + issued["serial"]}, role="viewer").get_json()
    assert [r["value"] for r in code128["records"]] == [issued["serial"]]
    bare = api.post("/api/v1/scan", {"data": "00" + issued["sscc"]}, role="viewer").get_json()
    assert bare["symbology"] == "gs1" and [r["value"] for r in bare["records"]] == [issued["sscc"]]
    own = api.post("/api/v1/scan", {"data": issued["sscc"]}, role="viewer").get_json()
    assert [r["value"] for r in own["records"]] == [issued["sscc"]]
    junk = api.post("/api/v1/scan", {"data": "(99"}, role="viewer").get_json()
    assert junk["records"] == []


def test_scan_answers_kind_validity_and_errors(api, issued):
    ok = api.post("/api/v1/scan", {"data": f"]C10109506000134352{GS}21{issued['serial']}"},
                  role="viewer").get_json()
    assert ok["kind"] == "gs1" and ok["valid"] and ok["errors"] == []
    assert ok["symbology"] == "gs1-128" and ok["symbology_identifier"] == "]C1"
    assert ok["matches"] == [{"ai": "21", "value": issued["serial"], "registered": True}]
    bad = api.post("/api/v1/scan", {"data": f"]C10109506000134351{GS}21{issued['serial']}"},
                   role="viewer").get_json()
    assert bad["kind"] == "gs1" and bad["valid"] is False  # never silently a plain value
    assert bad["errors"][0]["ai"] == "01" and "check digit" in bad["errors"][0]["message"]
    assert [r["value"] for r in bad["records"]] == [issued["serial"]]
    lone = api.post("/api/v1/scan", {"data": f"(10){issued['lot']}"}, role="viewer").get_json()
    assert lone["kind"] == "gs1-hri" and not lone["valid"]
    assert lone["errors"][0]["level"] == "message" and "(10)" in lone["errors"][0]["message"]
    dl = api.post("/api/v1/scan", {"data": "HTTPS://id.gs1.org/01/9506000134352"},
                  role="viewer").get_json()
    assert dl["kind"] == "digital-link" and not dl["valid"]  # a short GTIN is never padded
    plain = api.post("/api/v1/scan", {"data": issued["serial"]}, role="viewer").get_json()
    assert plain["kind"] == "plain" and plain["valid"] and plain["value"] == issued["serial"]
