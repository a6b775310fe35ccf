"""The registry under concurrency: unique values, atomic blocks, idempotency, migrations."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from sqlalchemy import bindparam, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from labelsvc.registry import driver, setup
from labelsvc.registry.database import Database
from labelsvc.registry.models import SPARSE_IDENTIFIER_COLUMNS, counters, events, identifiers
from labelsvc.services import schemes
from labelsvc.services.issuing import Issuer, IssueRequest, PrintRequest
from labelsvc.services.tokens import Actor, authenticate, create_token, hash_token

pytestmark = pytest.mark.xdist_group("integration-registry")
LINE = Actor(token_id=0, name="line-7", role="line")


def test_concurrent_writers_never_share_a_value(db):
    schemes.define_scheme(db, {"name": "conc", "kind": "serial", "pattern": "C{seq:6}"}, "admin")
    request = IssueRequest(kind="serial", scheme="conc", fields={}, count=20)

    def issue_many(_: int) -> list[str]:
        return [i.value for _ in range(10)
                for i in Issuer(db).issue(request, LINE).identifiers]

    with ThreadPoolExecutor(4) as pool:
        batches = list(pool.map(issue_many, range(4)))
    values = [v for batch in batches for v in batch]
    assert len(values) == len(set(values)) == 800
    for batch in batches:  # each request got one consecutive block
        for start in range(0, len(batch), 20):
            seqs = [int(v[1:]) for v in batch[start:start + 20]]
            assert seqs == list(range(seqs[0], seqs[0] + 20))
    with db.engine.connect() as conn:
        assert conn.execute(select(counters.c.next)).scalar() == 801


def test_a_failed_request_issues_nothing(db):
    schemes.define_scheme(db, {"name": "atom", "kind": "serial", "pattern": "A{seq:2}"}, "admin")
    req = IssueRequest(kind="serial", scheme="atom", fields={}, count=5,
                                print=PrintRequest("nowhere", "serial-50x25"))
    with pytest.raises(Exception, match="no printer named nowhere"):
        Issuer(db).issue(req, LINE)
    with pytest.raises(Exception, match="sequence exhausted"):
        Issuer(db).issue(IssueRequest(kind="serial", scheme="atom", fields={},
                                                 count=100), LINE)
    with db.engine.connect() as conn:
        scheme_id = conn.execute(select(identifiers.c.id).where(
            identifiers.c.value.like("A%"))).first()
    assert scheme_id is None
    got = Issuer(db).issue(IssueRequest(kind="serial", scheme="atom", fields={},
                                                   count=99), LINE)
    assert got.values[0] == "A01" and got.values[-1] == "A99"


def test_concurrent_duplicates_of_an_idempotent_request_get_one_answer(app, tokens):
    body = {"scheme": "acme-serial", "fields": {"model": "WIDGET-200", "site": "austin"},
            "count": 50}
    headers = {"Authorization": f"Bearer {tokens['line']}", "Idempotency-Key": "dock-door-3"}

    def send(_: int) -> tuple[int, str, bool]:
        r = app.test_client().post("/api/v1/serials", json=body, headers=headers)
        return r.status_code, r.get_data(as_text=True), "Idempotent-Replayed" in r.headers

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert {status for status, _, _ in answers} == {201}
    assert len({text for _, text, _ in answers}) == 1
    assert sum(replayed for _, _, replayed in answers) == 3


def test_migrations_run_once_when_processes_start_together(empty_database_url):
    databases = [Database(empty_database_url) for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(setup.upgrade, databases))
    assert all(setup.is_current(d) for d in databases)
    setup.prepare(databases[0], seed=schemes.seed_examples)
    setup.prepare(databases[1], seed=schemes.seed_examples)  # second start: nothing new
    page = schemes.list_schemes(databases[0], limit=100, cursor=None)
    assert sorted(s.name for s in page.items) == ["acme-lot", "acme-serial", "pharma", "sscc",
                                                     "vin"]
    token = create_token(databases[2], name="ops", role="viewer")
    assert authenticate(databases[2], token).name == "ops"
    for d in databases:
        d.dispose()


def test_a_database_that_does_not_answer_is_503_not_500(tmp_path, problem):
    from labelsvc import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'gone.sqlite3'}",
                      "PREPARE_DATABASE": False, "LOG_LEVEL": "ERROR",
                      "PRINT_WORKER": False})
    client = app.test_client()
    assert client.get("/readyz").status_code == 503
    body = problem(client.get("/api/v1/schemes", headers={"Authorization": "Bearer x"}), 503,
                   "service-unavailable")
    assert "SELECT" not in body["detail"]


@pytest.mark.slow
def test_a_batch_of_50000_is_one_fast_transaction(db):
    import time

    schemes.define_scheme(db, {"name": "big", "kind": "serial", "pattern": "B{seq:6}"}, "admin")
    started = time.monotonic()
    got = Issuer(db).issue(IssueRequest(kind="serial", scheme="big", fields={},
                                                   count=50_000), LINE)
    elapsed = time.monotonic() - started
    values = got.values
    assert values[0] == "B000001" and values[-1] == "B050000" and len(set(values)) == 50_000
    assert elapsed < 30, f"50,000 identifiers took {elapsed:.1f} s"


def test_hot_statements_share_the_transaction_and_speak_sqlalchemy(db):
    """driver.rows converts parameters as SQLAlchemy does, joins the open transaction, and
    raises SQLAlchemy's exceptions, on either database."""
    schemes.define_scheme(db, {"name": "drv", "kind": "serial", "pattern": "D{seq:3}"}, "admin")
    first = Issuer(db).issue(IssueRequest(kind="serial", scheme="drv", fields={}),
                           LINE).values[0]
    stmt = insert(events).values(identifier_id=bindparam("ident"), type="note", actor="qa",
                                 at=bindparam("at"), data=bindparam("data")
                                 ).returning(events.c.id, events.c.data)
    with db.engine.connect() as conn:
        ident = conn.execute(select(identifiers.c.id).where(identifiers.c.value == first)
                             ).scalar_one()
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(RuntimeError), db.transaction() as conn:
        (event_id, data), = driver.rows(conn, stmt, {"ident": ident, "at": now,
                                                     "data": {"bin": "A-3", "n": 2}})
        assert data == {"bin": "A-3", "n": 2}
        raise RuntimeError("roll back")
    with db.engine.connect() as conn:  # rolled back with the transaction it ran in
        assert conn.execute(select(events.c.id).where(events.c.id == event_id)).first() is None
    with pytest.raises(IntegrityError), db.transaction() as conn:
        driver.rows(conn, stmt, {"ident": -1, "at": now, "data": {}})  # no such identifier


def test_sparse_identifier_columns_are_indexed_only_where_they_hold_a_value(empty_database_url):
    """Migration 0005 leaves the five lot-only or optional columns with partial indexes, the
    same the models declare, and goes down and up again cleanly."""
    db = Database(empty_database_url)
    setup.upgrade(db)

    def partial() -> dict[str, str]:
        with db.engine.connect() as conn:
            found = {}
            for index in inspect(conn).get_indexes("identifiers"):
                options = index.get("dialect_options", {})
                where = options.get("postgresql_where") or options.get("sqlite_where")
                found[index["name"]] = str(where) if where is not None else ""
            return found

    indexes = partial()
    for column in SPARSE_IDENTIFIER_COLUMNS:
        assert f"{column} IS NOT NULL" in indexes[f"ix_identifiers_{column}"]
    assert indexes["ix_identifiers_issued_at"] == ""  # every row has one: a full index
    with db.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
        conn.commit()
    assert all(partial()[f"ix_identifiers_{c}"] == "" for c in SPARSE_IDENTIFIER_COLUMNS)
    setup.upgrade(db)
    assert partial() == indexes
    db.dispose()


def test_the_sqlite_registry_is_readable_by_the_service_user_only(tmp_path):
    """The data folder is 0700; the database, its WAL and shared-memory files and the
    migration lock are 0600, and a file left 0644 by an older version is narrowed."""
    import os
    import stat

    folder = tmp_path / "data"
    path = folder / "labelsvc.sqlite3"
    old_umask = os.umask(0o022)
    try:
        database = Database(f"sqlite:///{path}")
        setup.upgrade(database)
        create_token(database, name="ops", role="admin")  # a write: the WAL exists now
        files = [path, folder / "labelsvc.sqlite3-wal", folder / "labelsvc.sqlite3-shm",
                 folder / "labelsvc.sqlite3.migrate.lock"]
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {
            f.name: 0o600 for f in files}
        database.dispose()
        path.chmod(0o644)
        Database(f"sqlite:///{path}").dispose()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


def test_web_sessions_are_kept_by_migration_0006_which_goes_down_and_up(empty_database_url):
    db = Database(empty_database_url)
    setup.upgrade(db)

    def columns() -> set[str]:
        with db.engine.connect() as conn:
            if not inspect(conn).has_table("web_sessions"):
                return set()
            return {c["name"] for c in inspect(conn).get_columns("web_sessions")}

    assert columns() >= {"id", "key_hash", "token_id", "started_at", "seen_at", "ended_at",
                         "ended_why"}
    with db.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
        conn.commit()
    assert columns() == set()
    setup.upgrade(db)
    assert "key_hash" in columns()
    db.dispose()


def test_migration_0007_registers_the_custom_event_types_already_recorded(empty_database_url):
    db = Database(empty_database_url)
    with db.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
        conn.commit()
    setup.prepare(db, seed=schemes.seed_examples)  # 0007 now; example schemes defined
    schemes.define_scheme(db, {"name": "mig7", "kind": "serial", "pattern": "M7{seq:3}"},
                          "admin")
    value = Issuer(db).issue(IssueRequest(kind="serial", scheme="mig7", fields={}), LINE).values[0]
    with db.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
        ident = conn.execute(select(identifiers.c.id).where(identifiers.c.value == value)
                             ).scalar_one()
        for kind in ("inspected", "note", "shipped"):
            conn.execute(insert(events).values(identifier_id=ident, type=kind, actor="qa",
                                               at=dt.datetime.now(dt.UTC), data={}))
        conn.commit()
    setup.upgrade(db)
    from labelsvc.registry.models import event_types

    with db.engine.connect() as conn:
        names = set(conn.execute(select(event_types.c.name)).scalars())
    assert names == {"inspected"}  # built-in types are not registered again
    db.dispose()


def test_holds_are_kept_by_migration_0009_which_goes_down_and_up(empty_database_url):
    db = Database(empty_database_url)
    setup.upgrade(db)

    def shape() -> tuple[set[str], set[str]]:
        with db.engine.connect() as conn:
            if not inspect(conn).has_table("holds"):
                return set(), set()
            return ({c["name"] for c in inspect(conn).get_columns("holds")},
                    {i["name"] for i in inspect(conn).get_indexes("holds")})

    assert shape() == ({"id", "identifier_id", "reason", "propagate", "placed_at", "placed_by",
                        "released_at", "released_by", "release_reason"},
                       {"ix_holds_identifier_id", "ix_holds_active"})
    with db.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
        conn.commit()
    assert shape() == (set(), set())
    setup.upgrade(db)
    assert "propagate" in shape()[0]
    db.dispose()


def test_migration_0010_pins_the_current_template_version_of_jobs_written_before(
        empty_database_url):
    from labelsvc.registry.models import print_job_labels, print_jobs
    from labelsvc.services import label_templates, printers
    from printers import AddressPolicy

    db = Database(empty_database_url)
    setup.upgrade(db)
    schemes.define_scheme(db, {"name": "mig10", "kind": "serial", "pattern": "M10{seq:3}"},
                          "admin")
    printers.add_printer(db, printers.check_printer(printers.PrinterDefinition(
        "mig10-line", "zpl-tcp", settings={"host": "127.0.0.1", "port": 9}), AddressPolicy()),
        LINE)
    body = {"name": "mig10-label", "width_mm": 50, "height_mm": 25, "dpi": 203,
            "elements": [{"type": "text", "x_mm": 2, "y_mm": 2, "height_mm": 4,
                          "value": "{value}"}]}
    label_templates.define_template(db, body, "admin")
    Issuer(db).issue(IssueRequest(kind="serial", scheme="mig10", fields={}, count=2,
                                  print=PrintRequest("mig10-line", "mig10-label")), LINE)
    label_templates.new_template_version(db, "mig10-label", body, "admin")  # now version 2
    with db.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
        conn.commit()
        assert not inspect(conn).has_table("label_prints")
        assert "template_version" not in {c["name"] for c in
                                          inspect(conn).get_columns("print_jobs")}
    setup.upgrade(db)
    with db.engine.connect() as conn:
        assert conn.execute(select(print_jobs.c.template_version)).scalars().all() == [2]
        assert conn.execute(select(print_job_labels.c.scheme_version, print_job_labels.c.reprint_no,
                                   print_job_labels.c.reason)).all() == [(1, 0, None)] * 2
        assert inspect(conn).has_table("label_prints")
        assert inspect(conn).has_table("reprint_reasons")
    db.dispose()


def test_migration_0008_keeps_people_and_goes_down_and_up(empty_database_url):
    from labelsvc.services import people

    db = Database(empty_database_url)
    setup.upgrade(db)

    def columns(table: str) -> set[str]:
        with db.engine.connect() as conn:
            if not inspect(conn).has_table(table):
                return set()
            return {c["name"] for c in inspect(conn).get_columns(table)}

    assert {"username", "roles", "password_hash", "disabled", "failed_attempts",
            "locked_until", "password_changed_at", "created_by"} <= columns("users")
    assert "owner_id" in columns("api_tokens") and "user_id" in columns("web_sessions")
    people.create_user(db, username="mig8", password="a long enough one", roles=["viewer"],
                       created_by="test")
    token = create_token(db, name="mig8-tablet", role="viewer", owner="mig8")
    with db.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
        conn.commit()
    assert columns("users") == set() and "owner_id" not in columns("api_tokens")
    assert "user_id" not in columns("idempotency_records")
    with db.engine.connect() as conn:  # the token itself stays
        assert conn.execute(text("SELECT name FROM api_tokens WHERE token_hash = :h"),
                            {"h": hash_token(token)}).scalar() == "mig8-tablet"
    setup.upgrade(db)
    assert authenticate(db, token).username is None  # no owner any more
    assert "user_id" in columns("idempotency_records")
    db.dispose()


def test_public_views_are_kept_by_migration_0013_which_goes_down_and_up(empty_database_url):
    db = Database(empty_database_url)
    setup.upgrade(db)

    def columns() -> set[str]:
        with db.engine.connect() as conn:
            if not inspect(conn).has_table("public_views"):
                return set()
            return {c["name"] for c in inspect(conn).get_columns("public_views")}

    assert columns() == {"scheme_id", "fields", "updated_at", "updated_by"}
    with db.engine.connect() as conn:
        cfg = setup.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
        conn.commit()
    assert columns() == set()
    setup.upgrade(db)
    assert "fields" in columns()
    db.dispose()
