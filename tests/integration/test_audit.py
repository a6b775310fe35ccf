"""The audit trail: one row per governed change with before and after, written in the change's
transaction; the hash chain names a row changed, removed or inserted by hand; the tables
refuse UPDATE and DELETE. Both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from labelsvc.cli import main
from labelsvc.errors import SchemeExists
from labelsvc.registry import setup
from labelsvc.registry.database import Database
from labelsvc.registry.models import audit as audit_table
from labelsvc.services import (
    audit,
    event_types,
    label_templates,
    printing,
    reprints,
    schemes,
    tokens,
)
from labelsvc.services.printers import PrinterDefinition, add_printer, check_printer
from labelsvc.services.tokens import Actor
from printers import AddressPolicy

ADMIN = Actor(token_id=7, name="alice", role="admin")


def rows(db: Database, **where: str) -> list[Any]:
    """The audit rows, oldest first, filtered by column values."""
    query = select(audit_table).order_by(audit_table.c.id)
    for column, value in where.items():
        query = query.where(audit_table.c[column] == value)
    with db.transaction(write=False) as conn:
        return list(conn.execute(query).all())


def last(db: Database) -> Any:
    return rows(db)[-1]


@pytest.fixture
def registry(empty_database_url: str) -> Any:
    """A migrated registry of its own (both databases), for tests that tamper with it."""
    db = Database(empty_database_url)
    setup.upgrade(db)
    yield db
    db.dispose()
    tokens.KNOWN_TOKENS.clear()


def fill(db: Database, count: int = 5) -> None:
    """Write `count` audit rows through real changes."""
    for i in range(count):
        event_types.register(db, f"inspected-{i}", f"inspection {i}", ADMIN)


def tamper(db: Database, statement: str, **params: Any) -> None:
    """Run SQL by hand with the insert-only triggers out of the way, as a database owner
    could."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
            conn.execute(text(statement), params)
            conn.execute(text("ALTER TABLE audit ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_no_delete"))
            conn.execute(text(statement), params)


def test_each_governed_change_writes_one_row_with_before_and_after(registry: Database) -> None:
    db = registry
    schemes.define_scheme(db, {"name": "au-serial", "kind": "serial",
                               "pattern": "AU{seq:4}"}, ADMIN)
    row = last(db)
    assert (row.action, row.target_kind, row.target_name, row.actor, row.actor_token,
            row.actor_role) == ("scheme.define", "scheme", "au-serial", "alice", 7, "admin")
    assert row.before is None and row.after["version"] == 1
    assert row.after["definition"]["pattern"] == "AU{seq:4}"

    schemes.new_version(db, "au-serial", {"kind": "serial", "pattern": "AV{seq:4}"}, ADMIN)
    row = last(db)
    assert row.action == "scheme.version"
    assert (row.before["version"], row.before["definition"]["pattern"]) == (1, "AU{seq:4}")
    assert (row.after["version"], row.after["definition"]["pattern"]) == (2, "AV{seq:4}")

    layout = {"name": "au-label", "width_mm": 50, "height_mm": 25, "dpi": 203, "elements": [
        {"type": "text", "x_mm": 2, "y_mm": 2, "height_mm": 3, "value": "{value}"}]}
    label_templates.define_template(db, layout, ADMIN)
    row = last(db)
    assert (row.action, row.target_name, row.before) == ("template.define", "au-label", None)
    label_templates.new_template_version(db, "au-label", {**layout, "width_mm": 60}, ADMIN)
    row = last(db)
    assert (row.action, row.before["definition"]["width_mm"], row.after["definition"]["width_mm"],
            row.after["version"]) == ("template.version", 50, 60, 2)
    label_templates.new_template_version(
        db, "serial-50x25", label_templates.shipped()["serial-50x25"].model_dump(mode="json"),
        ADMIN)
    row = last(db)
    assert row.before["shipped"] is True and row.before["version"] == 0
    assert row.after["version"] == 1

    add_printer(db, check_printer(PrinterDefinition("au-printer", "zpl-tcp", 203,
                                                    {"host": "127.0.0.1", "port": 9100}),
                                  AddressPolicy()), ADMIN)
    row = last(db)
    assert (row.action, row.target_name, row.before) == ("printer.define", "au-printer", None)
    assert row.after["settings"] == {"host": "127.0.0.1", "port": 9100}
    printing.remove_printer(db, "au-printer", ADMIN)
    row = last(db)
    assert row.action == "printer.delete" and row.before["driver"] == "zpl-tcp"
    assert row.after["unfinished_jobs"] == 0 and row.after["deleted_at"]

    event_types.register(db, "inspected", "a quality inspection", ADMIN)
    row = last(db)
    assert (row.action, row.after) == ("event-type.register",
                                       {"name": "inspected", "description": "a quality inspection"})
    reprints.register(db, "label-smudged", "the applicator smudged the print", ADMIN)
    row = last(db)
    assert (row.action, row.target_kind, row.after) == (
        "reprint-reason.register", "reprint-reason",
        {"name": "label-smudged", "description": "the applicator smudged the print"})

    tokens.create_token(db, name="tablet-9", role="line", actor="cli:ops")
    row = last(db)
    assert (row.action, row.actor, row.actor_token, row.after) == (
        "token.create", "cli:ops", None, {"name": "tablet-9", "role": "line"})
    assert "lsv_" not in str(row.after)  # the token itself never
    assert tokens.revoke_tokens(db, name="tablet-9", actor=ADMIN) == 1
    row = last(db)
    assert row.action == "token.revoke" and row.before["revoked_at"] is None
    assert row.after["revoked_at"]
    assert row.target_id == rows(db, action="token.create")[-1].target_id
    assert tokens.revoke_tokens(db, name="tablet-9", actor=ADMIN) == 0  # nothing left to revoke
    assert last(db).id == row.id
    assert [r.id for r in rows(db)] == list(range(1, len(rows(db)) + 1))
    assert audit.verify(db).ok


def test_a_refused_change_writes_no_row(registry: Database) -> None:
    schemes.define_scheme(registry, {"name": "once", "kind": "serial", "pattern": "O{seq:3}"},
                          ADMIN)
    before = len(rows(registry))
    with pytest.raises(SchemeExists):
        schemes.define_scheme(registry, {"name": "once", "kind": "serial",
                                         "pattern": "P{seq:3}"}, ADMIN)
    assert len(rows(registry)) == before


def test_no_row_without_its_change(registry: Database) -> None:
    """A change that rolls back after its row was appended takes the row with it."""
    with pytest.raises(RuntimeError), registry.transaction() as conn:
        audit.record(conn, ADMIN, "scheme.define", audit.Target("scheme", "ghost"), None, {})
        raise RuntimeError("the change failed after its row")
    assert rows(registry) == [] and audit.verify(registry).ok
    fill(registry, 1)
    assert [r.id for r in rows(registry)] == [1]  # the chain went on where it stood


def test_settings_are_recorded_when_they_change(registry: Database) -> None:
    first = {"LABELSVC_IDEMPOTENCY_HOURS": 48, "LABELSVC_SECRET_KEY": "set"}
    assert audit.record_settings(registry, "service", first)
    assert not audit.record_settings(registry, "service", first)  # unchanged: no row
    assert audit.record_settings(registry, "worker", first)  # a worker is compared with workers
    assert audit.record_settings(registry, "service", {**first, "LABELSVC_IDEMPOTENCY_HOURS": 72})
    row = rows(registry, target_name="service")[-1]
    assert (row.action, row.actor) == ("settings.changed", "system")
    assert row.before["LABELSVC_IDEMPOTENCY_HOURS"] == 48
    assert row.after["LABELSVC_IDEMPOTENCY_HOURS"] == 72


def test_the_service_records_its_settings_without_secrets(tmp_path: Any) -> None:
    from labelsvc import create_app

    url = f"sqlite:///{tmp_path / 'settings.sqlite3'}"
    config = {"TESTING": True, "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
              "SECRET_KEY": "a-very-secret-session-key-of-the-plant"}
    for _ in range(2):
        create_app(config).extensions["labelsvc.db"].dispose()
    create_app({**config, "MAX_LABELS_PER_JOB": 500}).extensions["labelsvc.db"].dispose()
    db = Database(url)
    recorded = rows(db, action="settings.changed")
    assert len(recorded) == 2  # first start, then the change; the same again wrote nothing
    assert recorded[1].after["LABELSVC_MAX_LABELS_PER_JOB"] == 500
    assert recorded[0].after["LABELSVC_SECRET_KEY"] == "set"
    assert "a-very-secret" not in str([r.after for r in recorded])
    db.dispose()


def test_verify_answers_ok_with_the_row_count(registry: Database) -> None:
    assert audit.verify(registry).model_dump(exclude_none=True) == {
        "ok": True, "rows": 0, "last_id": 0, "last_hash": audit.GENESIS}
    fill(registry)
    answer = audit.verify(registry)
    assert (answer.ok, answer.rows, answer.last_id) == (True, 5, 5)
    assert answer.last_hash == last(registry).row_hash


def test_a_row_changed_by_hand_is_named(registry: Database) -> None:
    fill(registry)
    tamper(registry, "UPDATE audit SET actor = 'mallory' WHERE id = 3")
    answer = audit.verify(registry)
    assert (answer.ok, answer.rows, answer.first_broken, answer.why) == (False, 5, 3, "changed")


def test_a_row_rewritten_with_a_fresh_hash_is_named(registry: Database) -> None:
    """Someone who knows the hashing rewrites row 2 and its hash: the next row's link names
    it."""
    fill(registry)
    row = dict(rows(registry)[1]._mapping)
    row["after"] = {"name": "inspected-1", "description": "never inspected"}
    tamper(registry, "UPDATE audit SET after = :after, row_hash = :hash WHERE id = 2",
           after='{"name": "inspected-1", "description": "never inspected"}',
           hash=audit.row_hash(row))
    answer = audit.verify(registry)
    assert (answer.first_broken, answer.why) == (2, "changed")


def test_a_row_removed_by_hand_is_named(registry: Database) -> None:
    fill(registry)
    tamper(registry, "DELETE FROM audit WHERE id = 2")
    answer = audit.verify(registry)
    assert (answer.ok, answer.rows, answer.first_broken, answer.why) == (False, 4, 2, "removed")


def test_the_newest_row_removed_by_hand_is_named(registry: Database) -> None:
    fill(registry)
    tamper(registry, "DELETE FROM audit WHERE id = 5")
    answer = audit.verify(registry)
    assert (answer.first_broken, answer.why) == (5, "removed")


def test_a_row_inserted_by_hand_is_named(registry: Database) -> None:
    """Even a row chained correctly to the newest one is named: the head never moved to it."""
    fill(registry)
    newest = last(registry)
    forged = {"id": 6, "at": dt.datetime.now(dt.UTC), "actor": "alice", "actor_token": 7,
              "actor_role": "admin", "action": "token.create", "target_kind": "token",
              "target_name": "backdoor", "target_id": None, "before": None,
              "after": {"name": "backdoor", "role": "admin"}, "prev_hash": newest.row_hash}
    forged["row_hash"] = audit.row_hash(forged)
    with registry.engine.begin() as conn:
        conn.execute(insert(audit_table).values(**forged))
    answer = audit.verify(registry)
    assert (answer.ok, answer.rows, answer.first_broken, answer.why) == (False, 6, 6, "inserted")


def test_the_cli_checks_the_chain_and_fails_when_broken(registry: Database, monkeypatch: Any,
                                                        capsys: Any) -> None:
    fill(registry, 3)
    monkeypatch.setenv("LABELSVC_DATABASE_URL", registry.url.render_as_string(False))
    assert main(["audit", "verify"]) == 0
    assert '"ok":true,"rows":3' in capsys.readouterr().out
    tamper(registry, "UPDATE audit SET target_name = 'x' WHERE id = 1")
    assert main(["audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert '"first_broken":1' in captured.out and "broken at row 1 (changed)" in captured.err


@pytest.mark.parametrize("statement", ["UPDATE audit SET actor = 'mallory'",
                                       "DELETE FROM audit",
                                       "UPDATE audit_chain SET last_id = 0",
                                       "DELETE FROM audit_chain"])
def test_the_trail_refuses_to_be_rewritten(registry: Database, statement: str) -> None:
    fill(registry, 2)
    with pytest.raises(DBAPIError, match="audit trail"), registry.engine.begin() as conn:
        conn.execute(text(statement))
    with registry.engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(audit_table)).scalar() == 2
    assert audit.verify(registry).ok


@pytest.mark.postgres
@pytest.mark.parametrize("empty_database_url", ["postgres"], indirect=True)
def test_truncate_is_refused_on_postgres(registry: Database) -> None:
    """SQLite has no TRUNCATE; its DELETE is refused (above)."""
    fill(registry, 1)
    for table in ("audit", "audit_chain"):
        with pytest.raises(DBAPIError, match="insert-only"), registry.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {table}"))
    assert audit.verify(registry).ok


def test_migration_0011_goes_down_and_up(registry: Database) -> None:
    from alembic import command
    from sqlalchemy import inspect

    fill(registry, 1)
    with registry.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
        conn.commit()
        assert not inspect(conn).has_table("audit")
    setup.upgrade(registry)
    assert audit.verify(registry).model_dump(exclude_none=True)["rows"] == 0
    event_types.register(registry, "repaired", "after the migration", ADMIN)
    assert audit.verify(registry).model_dump(exclude_none=True)["rows"] == 1
