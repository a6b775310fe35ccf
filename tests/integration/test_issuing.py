"""The issuing seam step by step: prepare, reserve, record; the service's one preparation and
its one stale-version policy; the print rule. Both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from labelsvc.errors import Forbidden, IdentifierCollision, ValidationFailed
from labelsvc.registry.models import counters, events, identifiers
from labelsvc.services import schemes
from labelsvc.services.issuing import (
    Issuer,
    IssueRequest,
    PrintRequest,
    StaleScheme,
    prepare,
    record,
    reserve,
    service,
)
from labelsvc.services.issuing.cache import IssuingCache
from labelsvc.services.tokens import Actor

pytestmark = pytest.mark.xdist_group("integration-issuing")
LINE = Actor(token_id=0, name="line-3", role="line")
VIEWER = Actor(token_id=0, name="board", role="viewer")
SCHEME = {"name": "seam", "kind": "serial", "pattern": "SM{line:1}{seq:4}", "charset": "0-9"}


@pytest.fixture(scope="module")
def scheme(db: Any) -> str:
    schemes.define_scheme(db, SCHEME, "admin")
    return str(SCHEME["name"])


def _request(line: str, count: int = 1, **extra: Any) -> IssueRequest:
    return IssueRequest(kind="serial", scheme="seam", fields={"line": line}, count=count,
                        **extra)


def _prepared(db: Any, line: str, count: int = 1) -> prepare.Prepared:
    with db.transaction() as conn:
        current = IssuingCache().scheme(conn, "seam")
        return prepare.prepare(conn, current, _request(line, count), LINE)


def _stored(db: Any, prefix: str) -> list[tuple[str, int]]:
    with db.transaction(write=False) as conn:
        return [tuple(r) for r in conn.execute(
            select(identifiers.c.value, identifiers.c.seq)
            .where(identifiers.c.value.like(f"{prefix}%")).order_by(identifiers.c.seq))]


def _counter(db: Any, key: str) -> int | None:
    with db.transaction(write=False) as conn:
        return conn.execute(select(counters.c.next).where(counters.c.key == key)).scalar()


def test_prepare_checks_the_request_and_writes_nothing(db: Any, scheme: str) -> None:
    prepared = _prepared(db, "1")
    assert prepared.key == "1" and prepared.current.name == "seam"
    assert prepared.values([1, 2, 3]) == ["SM10001", "SM10002", "SM10003"]
    assert prepared.base["fields"] == {"line": "1"} and prepared.event["type"] == "issued"
    assert _counter(db, "1") is None and _stored(db, "SM1") == []
    with db.transaction() as conn, pytest.raises(ValidationFailed, match="lot scheme"):
        prepare.prepare(conn, IssuingCache().scheme(conn, "acme-lot"),
                        _request("1"), LINE)


def test_reserve_takes_consecutive_blocks_and_records_nothing(db: Any, scheme: str) -> None:
    prepared = _prepared(db, "2")
    with db.transaction() as conn:
        first = reserve.reserve_block(conn, prepared, 5)
        second = reserve.reserve_block(conn, prepared, 3)
    assert (first.first, first.after, second.first, second.after) == (1, 6, 6, 9)
    assert _counter(db, "2") == 9 and _stored(db, "SM2") == []


def test_record_block_writes_rows_and_issued_events(db: Any, scheme: str) -> None:
    prepared = _prepared(db, "3")
    with db.transaction() as conn:
        block = reserve.reserve_block(conn, prepared, 4)
        taken: record.Recorded = {}
        new = record.record_block(conn, prepared, block, taken)
    assert list(new) == ["SM30001", "SM30002", "SM30003", "SM30004"] and taken == new
    assert _stored(db, "SM3") == [(v, n) for n, v in enumerate(new, 1)]
    with db.transaction(write=False) as conn:
        issued = conn.execute(select(func.count()).select_from(events).where(
            events.c.identifier_id.in_([id_ for _, id_ in new.values()]))
            .where(events.c.type == "issued").where(events.c.actor == "line-3")).scalar()
    assert issued == 4


def test_values_made_elsewhere_are_recorded_inside_their_block_only(db: Any,
                                                                    scheme: str) -> None:
    prepared = _prepared(db, "4")
    with db.transaction() as conn:
        block = reserve.reserve_block(conn, prepared, 3)
    with pytest.raises(ValidationFailed) as outside, db.transaction() as conn:
        record.record_values(conn, prepared, block, {3: "SM40003", 4: "SM40004"})
    assert outside.value.errors == {"values[4]": "position 4 is outside the block 1–3"}
    with pytest.raises(ValidationFailed) as wrong, db.transaction() as conn:
        record.record_values(conn, prepared, block, {2: "SM40009"})
    assert wrong.value.errors == {"values[2]": "position 2 makes SM40002, not SM40009"}
    with db.transaction() as conn:
        done = record.record_values(conn, prepared, block, {1: "SM40001", 3: "SM40003"})
    assert done == {"SM40001": (1, done["SM40001"][1]), "SM40003": (3, done["SM40003"][1])}
    with pytest.raises(IdentifierCollision, match="SM40003"), db.transaction() as conn:
        record.record_values(conn, prepared, block, {2: "SM40002", 3: "SM40003"})
    assert _stored(db, "SM4") == [("SM40001", 1), ("SM40003", 3)]  # nothing of the refusal


def test_the_service_reserves_for_a_line_offline_and_records_later(db: Any,
                                                                   scheme: str) -> None:
    issuer = Issuer(db)
    reservation = issuer.reserve(_request("5", 10), LINE)
    assert (reservation.block.first, reservation.block.count) == (1, 10)
    assert _stored(db, "SM5") == [] and _counter(db, "5") == 11
    online = issuer.issue(_request("5", 2), LINE)  # the line's neighbours go on meanwhile
    assert online.values == ["SM50011", "SM50012"]
    made = {seq: reservation.prepared.value(seq) for seq in (2, 1, 7)}
    recorded = issuer.record(reservation, made, LINE)
    assert recorded.values == ["SM50001", "SM50002", "SM50007"]
    assert recorded.identifiers[0].issued_by == "line-3"


def test_single_statement_and_transaction_share_one_preparation(
        db: Any, scheme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = service.prepare

    def counting(conn: Any, current: Any, req: IssueRequest, actor: Actor) -> Any:
        calls.append(req.fields["line"])
        return real(conn, current, req, actor)

    monkeypatch.setattr(service, "prepare", counting)
    issuer = Issuer(db)
    issuer.issue(_request("6"), LINE)          # a counter the process has not seen
    issuer.issue(_request("6", 3), LINE)       # the single statement on PostgreSQL
    with db.transaction() as conn:             # another process moves the counter far on
        reserve.reserve_block(conn, _prepared(db, "6"), 500)
    got = issuer.issue(_request("6"), LINE)    # the statement misses: the transaction issues
    assert got.values == ["SM60505"]
    assert calls == ["6", "6", "6"]


def test_a_newer_version_is_found_at_the_reservation_and_issued_under(
        db: Any, scheme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = Issuer(db)
    assert issuer.issue(_request("7"), LINE).shared.version == 1
    schemes.new_version(db, "seam", {**SCHEME, "pattern": "SM{line:1}{seq:4}",
                                     "warranty_days": 30}, "admin")
    stale: list[int] = []
    real = reserve.reserve_block

    def spying(conn: Any, prepared: Any, n: int, *, check_version: bool = True) -> Any:
        try:
            return real(conn, prepared, n, check_version=check_version)
        except StaleScheme:
            stale.append(prepared.current.version)
            raise

    monkeypatch.setattr(record, "reserve_block", spying)
    got = issuer.issue(_request("7", 101), LINE)  # a batch: the transaction
    assert stale == [1]
    assert got.shared.version == 2 and got.values[0] == "SM70002"
    assert got.shared.warranty.days == 30


def test_printing_while_issuing_needs_the_print_capability(db: Any, scheme: str) -> None:
    issuer = Issuer(db)
    ask = _request("8", print=PrintRequest("nowhere", "serial-50x25"))
    with pytest.raises(Forbidden):
        issuer.issue(ask, VIEWER)
    with pytest.raises(ValidationFailed) as refused:
        issuer.issue(ask, LINE)
    assert refused.value.errors == {"print.printer": "no printer named nowhere"}
    assert _counter(db, "8") is None or _stored(db, "SM8") == []
