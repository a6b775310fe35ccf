"""Printing a label again: why (a reprint reason), how often (LABELSVC_REPRINT_LIMIT), and
the `REPRINT n` a template may print.

Built-in reasons are `damaged`, `lost` and `applicator-jam`; an admin registers others
(`/api/v1/reprint-reasons`, stored like custom event types). `connection-reset` is the print
worker's own, for the labels it sends again after a broken connection: a client may not give
it. Every way of printing an identifier that was printed before needs a reason (422 naming
the field without one); past `LABELSVC_REPRINT_LIMIT` deliberate reprints of an identifier the
next one is 403 `reprint-limit`: it needs a second person's signature.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, func, select

from labelsvc.contract.print_models import ReprintReasonListOut, ReprintReasonOut
from labelsvc.errors import ReprintLimit, ReprintReasonExists, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import identifiers, print_job_labels, reprint_reasons
from labelsvc.registry.queries import chunks, iso
from labelsvc.services import vocabulary
from labelsvc.services.audit import Who, actor_name

CONNECTION_RESET = "connection-reset"
BUILT_IN = {
    "damaged": "the label was damaged (smeared, torn, unreadable)",
    "lost": "the label was lost before it was applied",
    "applicator-jam": "the print-and-apply unit jammed and the label was spoilt",
    CONNECTION_RESET: "sent again by the print worker after the printer's connection broke; "
                      "written by the service only",
}
REPRINT_LIMIT = 2  # deliberate reprints per identifier without a second signature


def reprint_text(number: int) -> str:
    """What `{reprint}` prints: nothing on the first print, `REPRINT n` on the n-th reprint."""
    return f"REPRINT {number}" if number > 0 else ""


def check_reason(conn: Connection, reason: str | None, *, needed: bool,
                 field: str = "reason") -> str | None:
    """The reason of a print request: needed when it prints an identifier again (422 naming
    the field without one); given, it must be one a client may give."""
    known = sorted((set(BUILT_IN) - {CONNECTION_RESET}) | vocabulary.registered(conn,
                                                                                reprint_reasons))
    if reason is None:
        if needed:
            raise ValidationFailed(
                f"this prints labels that were printed before: say why ({', '.join(known)}, "
                f"or a reason an admin registered at /api/v1/reprint-reasons)",
                {field: f"a reprint needs a reason: one of {', '.join(known)}"})
        return None
    if reason == CONNECTION_RESET:
        raise ValidationFailed(f"{CONNECTION_RESET} is written by the print worker for its own "
                               "resends; give the reason a person prints again for",
                               {field: f"one of {', '.join(known)}"})
    if reason not in known:
        raise ValidationFailed(f"unknown reprint reason {reason!r}; known reasons: "
                               f"{', '.join(known)}", {field: f"one of {', '.join(known)}"})
    return reason


def reprints_so_far(conn: Connection, identifier_ids: Collection[int]) -> dict[int, int]:
    """How often each identifier was printed again on purpose: the jobs that reprint it,
    unless every one of its labels there was cancelled before it was sent. The identifiers'
    rows stay locked (PostgreSQL) until the caller commits, so two reprints at once cannot
    both pass the limit."""
    labels = print_job_labels.c
    found: dict[int, int] = {}
    for part in chunks(sorted(identifier_ids)):
        if conn.dialect.name == "postgresql":
            conn.execute(select(identifiers.c.id).where(identifiers.c.id.in_(part))
                         .order_by(identifiers.c.id).with_for_update())
        found.update({row.identifier_id: row.jobs for row in conn.execute(
            select(labels.identifier_id, func.count(func.distinct(labels.job_id)).label("jobs"))
            .where(labels.identifier_id.in_(part)).where(labels.reprint.is_(True))
            .where(labels.state != "cancelled").group_by(labels.identifier_id))})
    return {i: int(found.get(i, 0)) for i in identifier_ids}


def check_limit(conn: Connection, counts: dict[int, int], limit: int) -> None:
    """403 `reprint-limit` when an identifier was printed again `limit` times already.

    The next reprint needs a second person's signature; signatures come with people
    accounts, and their check belongs here, before this refusal.
    """
    over = sorted(i for i, n in counts.items() if n >= limit)
    if not over:
        return
    values = list(conn.execute(select(identifiers.c.value).where(identifiers.c.id.in_(over[:5]))
                               .order_by(identifiers.c.value)).scalars())
    more = f" and {len(over) - len(values)} more" if len(over) > len(values) else ""
    raise ReprintLimit(
        f"{', '.join(values)}{more} printed again {limit} time(s) already, as often as "
        f"LABELSVC_REPRINT_LIMIT ({limit}) allows: another reprint needs a second person's "
        f"signature", identifiers=values, limit=limit)


def register(db: Database, name: str, description: str, actor: Who) -> ReprintReasonOut:
    """Register a custom reprint reason."""
    now = vocabulary.register(db, reprint_reasons, name, description, actor,
                              built_in=BUILT_IN, noun="reprint reason",
                              exists=ReprintReasonExists)
    return ReprintReasonOut(name=name, description=description, built_in=False,
                            from_clients=True, created_at=iso(now),
                            created_by=actor_name(actor))


def list_reasons(db: Database) -> ReprintReasonListOut:
    """Every reprint reason: the built-in ones, then the registered ones."""
    with db.transaction(write=False) as conn:
        rows = vocabulary.registered_rows(conn, reprint_reasons)
    items = [ReprintReasonOut(name=name, description=text, built_in=True,
                              from_clients=name != CONNECTION_RESET)
             for name, text in BUILT_IN.items()]
    items += [ReprintReasonOut(name=r.name, description=r.description, built_in=False,
                               from_clients=True, created_at=iso(r.created_at),
                               created_by=r.created_by) for r in rows]
    return ReprintReasonListOut(items=items)

