"""A line's small request is issued by one autocommitted statement on PostgreSQL; whenever that
statement writes nothing, the ordinary transaction issues, and the registry stays gap-free."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy

from labelsvc.services.issuing import statement as issue_statement

SCHEME = {"name": "one-statement", "kind": "serial", "pattern": "OS{line:2}{seq:4}",
          "charset": "0-9"}


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each run of the single statement wrote the identifiers (True) or nothing."""
    seen: list[bool] = []
    real = issue_statement._attempt

    def spy(*args: Any, **kwargs: Any) -> Any:
        done = real(*args, **kwargs)
        seen.append(done is not None)
        return done

    monkeypatch.setattr(issue_statement, "_attempt", spy)
    return seen


@pytest.fixture(scope="module")
def scheme(api: Any) -> str:
    assert api.post("/api/v1/schemes", SCHEME).status_code == 201
    return SCHEME["name"]


def _issue(api: Any, line: str, count: int = 1, role: str = "line") -> list[dict[str, Any]]:
    answer = api.post("/api/v1/serials", {"scheme": SCHEME["name"], "fields": {"line": line},
                                          "count": count}, role=role)
    assert answer.status_code == 201, answer.get_json()
    items: list[dict[str, Any]] = answer.get_json()["identifiers"]
    return items


def _counter(db: Any, line: str) -> int:
    with db.transaction() as conn:
        return int(conn.execute(sqlalchemy.text(
            "SELECT next FROM counters WHERE key = :key"), {"key": line}).scalar_one())


def _registry(db: Any, line: str) -> list[tuple[str, int, str]]:
    """(value, seq, actor of its issued event) of a line, in counter order."""
    with db.transaction() as conn:
        return [tuple(r) for r in conn.execute(sqlalchemy.text(
            "SELECT i.value, i.seq, e.actor FROM identifiers i "
            "JOIN events e ON e.identifier_id = i.id AND e.type = 'issued' "
            "WHERE i.value LIKE :prefix ORDER BY i.seq"), {"prefix": f"OS{line}%"})]


def test_a_lines_next_serials_take_one_statement(api: Any, db: Any, scheme: str,
                                                 attempts: list[bool]) -> None:
    first = _issue(api, "10")               # a counter this process has not seen: transaction
    assert attempts == []
    rest = [_issue(api, "10", count) for count in (1, 3, 100)]
    values = [i["value"] for batch in [first, *rest] for i in batch]
    assert values == [f"OS10{n:04d}" for n in range(1, 106)]
    assert _registry(db, "10") == [(v, n, "line-token") for n, v in enumerate(values, 1)]
    assert _counter(db, "10") == 106
    if db.is_sqlite:  # SQLite has one writer at a time: always the ordinary transaction
        assert attempts == []
    else:
        assert attempts == [True, True, True]
    _issue(api, "10", issue_statement.MAX_COUNT + 1)  # a batch: the ordinary transaction
    assert len(attempts) == (0 if db.is_sqlite else 3)


def test_a_counter_moved_on_by_others_is_read_again(api: Any, db: Any, scheme: str,
                                                     attempts: list[bool]) -> None:
    _issue(api, "11")
    _issue(api, "11")
    with db.transaction() as conn:  # other processes issued 500 in the meantime
        conn.execute(sqlalchemy.text("UPDATE counters SET next = next + 500 WHERE key = '11'"))
    moved = _issue(api, "11", 2)
    assert [i["value"] for i in moved] == ["OS110503", "OS110504"]
    assert _counter(db, "11") == 505
    if not db.is_sqlite:  # the window missed, then the statement from where it stands
        assert attempts == [True, False, True]


def test_the_counters_end_is_refused_in_plant_words(api: Any, db: Any, scheme: str,
                                                    attempts: list[bool], problem: Any) -> None:
    _issue(api, "12")
    with db.transaction() as conn:
        conn.execute(sqlalchemy.text("UPDATE counters SET next = 9998 WHERE key = '12'"))
    assert [i["value"] for i in _issue(api, "12")] == ["OS129998"]
    refused = api.post("/api/v1/serials", {"scheme": scheme, "fields": {"line": "12"},
                                           "count": 2}, role="line")
    body = problem(refused, 409, "sequence-exhausted")
    assert "1 left, 2 asked" in body["detail"]
    assert [i["value"] for i in _issue(api, "12")] == ["OS129999"]
    assert _counter(db, "12") == 10000
    if not db.is_sqlite:  # missed, read the counter, issued; no room for 2: no statement at all
        assert attempts == [False, True, True]


def test_a_value_issued_elsewhere_is_skipped_in_the_transaction(
        api: Any, db: Any, scheme: str, attempts: list[bool]) -> None:
    _issue(api, "13")
    other = {"name": "os-elsewhere", "kind": "serial", "pattern": "OS13{seq:4}",
             "charset": "0-9", "start": 2, "allow_overlap": True}
    assert api.post("/api/v1/schemes", other).status_code == 201
    answer = api.post("/api/v1/serials", {"scheme": "os-elsewhere", "fields": {}}, role="line")
    assert answer.status_code == 201 and answer.get_json()["identifiers"][0]["value"] == "OS130002"
    after = _issue(api, "13")           # OS130002 is taken: the transaction records the skip
    assert [i["value"] for i in after] == ["OS130003"]
    with db.transaction() as conn:
        skipped = conn.execute(sqlalchemy.text(
            "SELECT value FROM counter_skips")).scalars().all()
    assert "OS130002" in skipped
    if not db.is_sqlite:
        assert attempts == [False]      # the statement wrote nothing, the transaction did


def test_an_autocommit_connection_goes_back_to_the_pool_transactional(db: Any) -> None:
    if db.is_sqlite:
        assert not db.can_autocommit()
        return
    assert db.can_autocommit()
    with db.autocommit() as conn:
        used = conn.connection.driver_connection
        assert used.autocommit
    seen = []
    for _ in range(db.engine.pool.size() + 2):  # until the pool hands that connection out again
        with pytest.raises(RuntimeError), db.transaction() as conn:
            seen.append(conn.connection.driver_connection)
            assert not conn.connection.driver_connection.autocommit
            conn.execute(sqlalchemy.text(
                "INSERT INTO counters (scheme_id, key, next, skipped, created_at) "
                "SELECT id, 'rolled-back', 1, 0, now() FROM schemes LIMIT 1"))
            raise RuntimeError("the request failed")
    assert any(c is used for c in seen)
    with db.transaction() as conn:
        assert not db.can_autocommit()  # inside a transaction, statements join it
        assert conn.execute(sqlalchemy.text(
            "SELECT count(*) FROM counters WHERE key = 'rolled-back'")).scalar_one() == 0


def test_an_autocommit_connection_that_cannot_switch_back_is_not_pooled(db: Any) -> None:
    if db.is_sqlite:
        assert not db.can_autocommit()  # SQLite always issues in a transaction
        return
    with db.autocommit() as conn:
        used = conn.connection.driver_connection
        used.execute("BEGIN")  # left inside a transaction: autocommit cannot be switched off
    assert used.closed
    for _ in range(db.engine.pool.size() + 2):
        with db.transaction() as conn:
            assert conn.connection.driver_connection is not used
            assert not conn.connection.driver_connection.autocommit
