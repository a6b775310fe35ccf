"""The events an identifier may get: the built-in types with the status moves they make, and
the types an admin registers, which are recorded and never move a status.

An identifier is issued; it is shipped, returned and shipped again; scrapped, consumed and
voided are final. Printing (and printing again) is allowed until a final status. A type
nobody registered (`shiped`) is refused with the known ones listed, so a typo never becomes
an event that silently fails to start a warranty. Holds and their releases are events too
(labelsvc.services.holds), on any status, and move none.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from labelsvc.contract.models import EventTypeListOut, EventTypeOut
from labelsvc.errors import EventTypeExists, InvalidTransition, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import event_types
from labelsvc.registry.queries import iso
from labelsvc.services import vocabulary
from labelsvc.services.audit import Who, actor_name

FINAL = frozenset({"scrapped", "consumed", "voided"})
LIVE = frozenset({"issued", "shipped", "returned"})


@dataclass(frozen=True)
class Kind:
    """A built-in event type: the statuses it may follow and the status it leaves, if any;
    `service` types are written by the service only (issuing, voiding, printing)."""

    description: str
    after: frozenset[str]
    becomes: str | None = None
    service: bool = False


BUILT_IN: dict[str, Kind] = {
    "issued": Kind("the identifier was issued", frozenset(), "issued", service=True),
    "shipped": Kind("shipped to a customer; the first one starts the warranty",
                    frozenset({"issued", "returned"}), "shipped"),
    "returned": Kind("came back from a customer", frozenset({"shipped"}), "returned"),
    "scrapped": Kind("destroyed; final", frozenset({"issued", "returned"}), "scrapped"),
    "consumed": Kind("used up in production; final", frozenset({"issued", "returned"}),
                     "consumed"),
    "voided": Kind("issued in error; final (POST …/void)", LIVE, "voided", service=True),
    "printed": Kind("its label was printed", LIVE, service=True),
    "reprinted": Kind("its label was printed again", LIVE, service=True),
    "components-added": Kind("what it was made from was recorded (POST …/components)", LIVE,
                             service=True),
    "note": Kind("a remark; changes nothing", frozenset({*LIVE, *FINAL})),
    "hold": Kind("put on hold (POST …/hold): not issued into, printed, shipped or consumed "
                 "until released; changes no status", frozenset({*LIVE, *FINAL}), service=True),
    "release": Kind("a hold released (POST …/release); changes no status",
                    frozenset({*LIVE, *FINAL}), service=True),
}
# Where a client asks for the events the service writes.
SERVICE_PATHS = {"voided": "POST …/void", "hold": "POST …/hold", "release": "POST …/release"}


def check_move(value: str, status: str, event: str) -> str | None:
    """The status a built-in event leaves an identifier in (None: unchanged), or
    InvalidTransition naming both when its status does not allow it."""
    kind = BUILT_IN[event]
    if status not in kind.after:
        verb = {"printed": "printed", "reprinted": "printed again",
                "components-added": "given components"}.get(event, event)
        article = "an" if status[0] in "aeiou" else "a"
        raise InvalidTransition(
            f"{value} is {status}; {article} {status} identifier cannot be {verb}",
            {"type": f"{event} does not follow {status}"}, identifier_status=status,
            event=event)
    return kind.becomes


def registered(conn: Connection) -> set[str]:
    """The names of the types admins registered."""
    return vocabulary.registered(conn, event_types)


def refuse_unknown(conn: Connection, event: str) -> None:
    """A 422 listing the types a client may record, unless `event` is one of them."""
    if event in BUILT_IN and BUILT_IN[event].service:
        hint = SERVICE_PATHS.get(event, "the service records it")
        raise ValidationFailed(f"{event} events are written by the service; {hint}",
                               {"type": f"{event} is written by the service"})
    custom = registered(conn)
    if event in BUILT_IN or event in custom:
        return
    known = sorted({k for k, v in BUILT_IN.items() if not v.service} | custom)
    raise ValidationFailed(
        f"unknown event type {event!r}; known types: {', '.join(known)} (an admin registers "
        f"others at /api/v1/event-types)", {"type": f"one of {', '.join(known)}"})


def register(db: Database, name: str, description: str, actor: Who) -> EventTypeOut:
    """Register a custom event type (it is recorded and never changes a status)."""
    now = vocabulary.register(db, event_types, name, description, actor, built_in=BUILT_IN,
                              noun="event type", exists=EventTypeExists)
    return EventTypeOut(name=name, description=description, built_in=False, after=None,
                        becomes=None, created_at=iso(now), created_by=actor_name(actor))


def list_types(db: Database) -> EventTypeListOut:
    """Every event type: the built-in ones with their moves, then the registered ones."""
    with db.transaction(write=False) as conn:
        rows = vocabulary.registered_rows(conn, event_types)
    items = [EventTypeOut(name=name, description=kind.description, built_in=True,
                          after=sorted(kind.after), becomes=kind.becomes,
                          written_by_service=kind.service)
             for name, kind in BUILT_IN.items()]
    items += [EventTypeOut(name=r.name, description=r.description, built_in=False, after=None,
                           becomes=None, created_at=iso(r.created_at), created_by=r.created_by)
              for r in rows]
    return EventTypeListOut(items=items)
