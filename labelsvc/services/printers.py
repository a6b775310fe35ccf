"""Printer definitions: add, list, read, remove, and the last status a worker read."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from labelsvc.contract.print_models import PrinterListOut, PrinterOut, PrinterStatusOut
from labelsvc.errors import NotFound, PrinterExists, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import printers
from labelsvc.registry.queries import iso
from labelsvc.services import audit
from labelsvc.services.audit import Target
from labelsvc.services.paging import decode_cursor, encode_cursor
from labelsvc.services.tokens import Actor
from printers import (
    DRIVERS,
    AddressPolicy,
    AddressRefused,
    NetworkDriver,
    PrinterDriver,
    PrinterError,
    UnknownDriver,
    UnknownHost,
)
from printers.addresses import LOOPBACK

log = logging.getLogger(__name__)


@dataclass
class PrinterDefinition:
    """What an admin says about a printer."""

    name: str
    driver: str
    dpi: int = 203
    settings: dict[str, Any] = field(default_factory=dict)
    media: dict[str, Any] = field(default_factory=dict)
    location: dict[str, Any] = field(default_factory=dict)


# The default ports of network databases, for a database URL that names none.
DATABASE_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433,
                  "oracle": 1521}


def address_policy(config: Mapping[str, Any]) -> AddressPolicy:
    """Where network printers may be: LABELSVC_PRINTER_NETWORKS, never this service's own
    listener (its port on loopback, on its own host's addresses, on LABELSVC_HOST) and
    never the registry database's host and port."""
    policy = AddressPolicy.build(config["PRINTER_NETWORKS"])
    port = int(config["PORT"])
    names = [h for h in (str(config["HOST"]), socket.gethostname()) if not _unspecified(h)]
    refused = policy.endpoints([*LOOPBACK, *names], port,
                               "this service's own address (LABELSVC_HOST, LABELSVC_PORT)")
    database = _database_endpoint(str(config["DATABASE_URL"]))
    if database is not None:
        refused += policy.endpoints([database[0]], database[1],
                                    "the registry database (LABELSVC_DATABASE_URL)")
    return AddressPolicy(policy.networks, tuple(dict.fromkeys(refused)))


def _unspecified(host: str) -> bool:
    """True for 0.0.0.0 and :: (listening everywhere: the host's addresses stand for it)."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _database_endpoint(url: str) -> tuple[str, int] | None:
    """The host and port of a network database URL; None for SQLite or a local socket."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    backend = parsed.get_backend_name()
    if backend == "sqlite" or not parsed.host or parsed.host.startswith("/"):
        return None
    port = parsed.port or DATABASE_PORTS.get(backend)
    return (parsed.host, port) if port else None


def open_driver(driver: str, settings: dict[str, Any],
                addresses: AddressPolicy | None = None) -> PrinterDriver:
    """Build the driver of a printer from its stored settings; a network driver keeps to
    the address policy (the default one without)."""
    cls = DRIVERS[driver]
    if issubclass(cls, NetworkDriver):
        return cls(**settings, addresses=addresses)
    return cls(**settings)


@dataclass(frozen=True)
class CheckedPrinter:
    """A printer definition whose driver, settings and address `check_printer` accepted."""

    definition: PrinterDefinition


def check_printer(definition: PrinterDefinition, addresses: AddressPolicy) -> CheckedPrinter:
    """Refuse an unknown driver, settings the driver does not take, or a network printer
    whose host resolves to an address printers may not have (nothing is connected to).

    A network printer's host is looked up in DNS here: check before the transaction that
    records the printer, so that no write lock waits on a name server.
    """
    try:
        driver = open_driver(definition.driver, definition.settings, addresses)
        if isinstance(driver, NetworkDriver):
            driver.check_address()
    except AddressRefused as exc:
        raise ValidationFailed(f"printer {definition.name}: {exc}", {exc.field: str(exc)}
                               ) from None
    except UnknownHost as exc:
        raise ValidationFailed(f"printer {definition.name}: {exc}", {"host": str(exc)}
                               ) from None
    except PrinterError as exc:
        raise ValidationFailed(str(exc), {"driver": str(exc)}) from None
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"printer {definition.name}: {exc}",
                               {"settings": str(exc)}) from None
    return CheckedPrinter(definition)


def missing_drivers(db: Database) -> list[str]:
    """Say, for each printer whose driver is not installed (a plugin removed), which it is."""
    with db.transaction(write=False) as conn:
        rows = conn.execute(select(printers.c.name, printers.c.driver)
                            .where(printers.c.deleted_at.is_(None))
                            .order_by(printers.c.name)).all()
    missing = []
    for row in rows:
        try:
            DRIVERS.require(row.driver)
        except UnknownDriver:
            missing.append(f"printer {row.name} uses driver {row.driver}, which is not installed")
        except PrinterError as exc:  # an installed plugin that fails to load
            missing.append(f"printer {row.name} uses driver {row.driver}, which fails to load: "
                           f"{exc}")
    return missing


def check_drivers(db: Database) -> list[str]:
    """Log at start-up each printer whose driver is not installed; the process starts anyway."""
    try:
        missing = missing_drivers(db)
    except SQLAlchemyError as exc:
        log.warning("printer drivers not checked at start-up, the registry does not answer "
                    "(%s); /readyz checks them", exc.__class__.__name__)
        return []
    for problem in missing:
        log.error("%s: its print jobs fail (reason driver-missing) until the driver is "
                  "installed; /readyz names it meanwhile", problem)
    return missing


def printer_answer(row: Row[Any] | Any) -> PrinterOut:
    """The printer answer of a printer row."""
    settings = dict(row.settings or {})
    location = row.location or {}
    return PrinterOut(name=row.name, driver=row.driver, dpi=row.dpi,
                      host=settings.get("host"), port=settings.get("port"),
                      directory=settings.get("directory"), settings=settings,
                      media=row.media or {}, site=location.get("site"),
                      line=location.get("line"), created_at=iso(row.created_at),
                      created_by=row.created_by)


def audited_printer(answer: PrinterOut) -> dict[str, Any]:
    """What the audit trail keeps of a printer: its definition, not its live status."""
    return answer.model_dump(mode="json", include={"name", "driver", "dpi", "settings", "media",
                                                   "site", "line"})


def find_printer(conn: Connection, name: str) -> Row[Any] | None:
    """Load a printer that is not removed, by name."""
    return conn.execute(select(printers).where(printers.c.name == name)
                        .where(printers.c.deleted_at.is_(None))).first()


def require_printer(conn: Connection, name: str) -> Row[Any]:
    """Load a printer by name, or answer 404."""
    row = find_printer(conn, name)
    if row is None:
        raise NotFound(f"no printer named {name}")
    return row


def add_printer(db: Database, printer: CheckedPrinter, actor: Actor) -> PrinterOut:
    """Define a checked printer; a name in use is refused."""
    definition = printer.definition
    try:
        with db.transaction() as conn:
            if find_printer(conn, definition.name) is not None or conn.execute(
                    select(printers.c.id).where(printers.c.name == definition.name)).first():
                raise PrinterExists(f"a printer named {definition.name} exists already")
            conn.execute(insert(printers).values(
                name=definition.name, driver=definition.driver, settings=definition.settings,
                dpi=definition.dpi, media=definition.media, location=definition.location,
                created_at=dt.datetime.now(dt.UTC), created_by=actor.name, lease_epoch=0))
            row = require_printer(conn, definition.name)
            answer = printer_answer(row)
            audit.record(conn, actor, "printer.define", Target("printer", row.name, row.id), None,
                         audited_printer(answer))
            return answer
    except IntegrityError:
        raise PrinterExists(f"a printer named {definition.name} exists already") from None


def list_printers(db: Database, *, limit: int, cursor: str | None) -> PrinterListOut:
    """List printers by name, one page at a time."""
    after = decode_cursor(cursor)
    query = select(printers).where(printers.c.deleted_at.is_(None)).order_by(printers.c.name)
    if after:
        query = query.where(printers.c.name > str(after[0]))
    with db.transaction(write=False) as conn:
        rows = conn.execute(query.limit(limit + 1)).all()
    more = len(rows) > limit
    return PrinterListOut(items=[printer_answer(r) for r in rows[:limit]],
                          next_cursor=encode_cursor(rows[limit - 1].name) if more else None)


def read_printer(db: Database, name: str) -> PrinterOut:
    """Read one printer."""
    with db.transaction(write=False) as conn:
        return printer_answer(require_printer(conn, name))


def printer_status(db: Database, name: str) -> PrinterStatusOut:
    """The last `~HS` answer a worker read, with when, kept in the database."""
    with db.transaction(write=False) as conn:
        row = require_printer(conn, name)
    status = row.status
    return PrinterStatusOut(printer=row.name, checked_at=iso(row.checked_at),
                            reason=row.status_reason,
                            ready=status is not None and row.status_reason is None,
                            status=status)


def store_status(conn: Connection, printer_id: int, status: dict[str, Any] | None,
                 reason: str | None) -> None:
    """Keep a status answer (or the reason there was none) with the time it was read."""
    conn.execute(update(printers).where(printers.c.id == printer_id).values(
        status=status, status_reason=reason, checked_at=dt.datetime.now(dt.UTC)))
