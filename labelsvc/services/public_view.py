"""The public view of a unit through its GS1 Digital Link: which unit a link names, what its
scheme's admin made public of it, and its linkset.

Anyone may follow a unit's Digital Link, so the answer holds only the link's own keys, whether
the unit is withdrawn (voided or scrapped, or in a lot that is) and the fields an admin listed
for the scheme (product, lot, expiry, production date) and whether it is on hold (never the hold's
reason); never attributes, suppliers, actors,
events or internal ids. A link that is malformed, names no unit, or names one whose GTIN is not
the link's, is one and the same "not found".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

import gs1
from labelsvc.contract.public_models import (
    DEFAULT_LINK,
    LinkOut,
    LinksetEntry,
    LinksetOut,
    PublicField,
    PublicViewIn,
    PublicViewOut,
)
from labelsvc.errors import NotFound
from labelsvc.registry.database import Database
from labelsvc.registry.models import Identifier, PublicView, Scheme, public_views
from labelsvc.registry.queries import hold_lock
from labelsvc.services import audit
from labelsvc.services.audit import Target
from labelsvc.services.holds import holds_on
from labelsvc.services.tokens import Actor

# Statuses that take a unit out of use: its public page says it is withdrawn.
WITHDRAWN = frozenset({"voided", "scrapped"})
TITLES: dict[PublicField, str] = {"product": "Product", "lot": "Lot", "expiry": "Expiry",
                                  "production_date": "Production date"}
NOT_FOUND = "no unit answers this Digital Link"
PUBLIC_VIEW_LOCK = 0x6C61_6265_6C70  # admins changing public views take turns
Lot = aliased(Identifier, name="public_lot")
# One indexed lookup: the unit by its unique value, with its lot and its scheme's public view.
_UNIT = (
    select(Identifier.id, Identifier.kind, Identifier.status, Identifier.attributes,
           Identifier.model, Identifier.fields, Identifier.expiry, Identifier.production_date,
           Lot.value.label("lot"), Lot.status.label("lot_status"),
           Lot.attributes.label("lot_attributes"), Lot.expiry.label("lot_expiry"),
           PublicView.fields.label("public"))
    .outerjoin(Lot, Lot.id == Identifier.lot_id)
    .outerjoin(PublicView, PublicView.scheme_id == Identifier.scheme_id)
)


@dataclass(frozen=True, slots=True)
class PublicUnit:
    """What the public page and the linkset of one unit say."""

    anchor: str  # the canonical Digital Link URI
    keys: tuple[tuple[str, str, str], ...]  # (ai, title, value) of the link
    withdrawn: bool  # voided or scrapped, or its lot is
    on_hold: bool  # held (its own hold, its lot's, or what it is made from), not withdrawn
    reason: str | None  # why it is withdrawn or held, in plain words (never the hold's reason)
    shown: tuple[tuple[str, str], ...]  # (title, value) of the public fields

    @property
    def description(self) -> str:
        """One line naming the unit: its product when public, else its keys."""
        product = dict(self.shown).get(TITLES["product"])
        return product or " ".join(f"({ai}) {value}" for ai, _, value in self.keys)


def resolve(db: Database, elements: list[tuple[str, str]], base: str) -> PublicUnit:
    """The unit a Digital Link's path names; NotFound when none does (or it is malformed)."""
    try:
        anchor = gs1.digital_link(base, elements)
    except ValueError:
        raise NotFound(NOT_FOUND) from None
    keys = dict(elements)
    value = keys.get("21") or keys.get("00") or keys.get("10") or ""
    with db.transaction(write=False) as conn:
        row = conn.execute(_UNIT.where(Identifier.value == value)).first()
        if row is None or not _names(row, keys):
            raise NotFound(NOT_FOUND)
        held = bool(holds_on(conn, [row.id]))  # one more query only while any hold is active
    withdrawn = row.status in WITHDRAWN or row.lot_status in WITHDRAWN
    return PublicUnit(
        anchor=anchor,
        keys=tuple((ai, _title(ai), data) for ai, data in elements),
        withdrawn=withdrawn, on_hold=held and not withdrawn,
        reason=_reason(row, held), shown=_shown(row, list(row.public or [])))


def _names(row: Any, keys: dict[str, str]) -> bool:
    """True when the unit is the one the link's keys name: kind, GTIN and lot agree."""
    if "00" in keys:
        return True
    gtin = (row.attributes or {}).get("gtin") or (row.lot_attributes or {}).get("gtin")
    if str(gtin or "") != keys["01"]:
        return False
    if "21" not in keys:
        return bool(row.kind == "lot")
    return row.kind == "serial" and ("10" not in keys or row.lot == keys["10"])


def _reason(row: Any, held: bool) -> str | None:
    if row.status in WITHDRAWN:
        return f"this unit was {row.status}: do not use it"
    if row.lot_status in WITHDRAWN:
        return f"its lot was {row.lot_status}: do not use it"
    if held:
        return "do not use it until the plant releases it"
    return None


def _shown(row: Any, public: list[PublicField]) -> tuple[tuple[str, str], ...]:
    expiry = row.expiry or row.lot_expiry
    values: dict[PublicField, str | None] = {
        "product": row.model or (row.fields or {}).get("model"),
        "lot": row.lot if row.kind == "serial" else None,
        "expiry": expiry.isoformat() if expiry else None,
        "production_date": row.production_date.isoformat() if row.production_date else None,
    }
    return tuple((TITLES[name], str(values[name])) for name in TITLES
                 if name in public and values[name])


def _title(ai: str) -> str:
    entry = gs1.lookup(ai)
    return entry.title if entry else ai


def linkset(unit: PublicUnit) -> LinksetOut:
    """The unit's GS1 linkset: its public page as the default link."""
    page = LinkOut(href=unit.anchor, title=f"Status of {unit.description}", type="text/html",
                   hreflang=["en"])
    entry = LinksetEntry.model_validate({"anchor": unit.anchor,
                                         "itemDescription": unit.description,
                                         DEFAULT_LINK: [page]})
    return LinksetOut(linkset=[entry])


def _scheme_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(Scheme.id).where(Scheme.name == name)).scalar()
    if found is None:
        raise NotFound(f"no scheme named {name}")
    return int(found)


def read_public_view(db: Database, name: str) -> PublicViewOut:
    """What a scheme's units show the public."""
    with db.transaction(write=False) as conn:
        row = conn.execute(select(public_views).where(
            public_views.c.scheme_id == _scheme_id(conn, name))).first()
    if row is None:
        return PublicViewOut(scheme=name, fields=[], updated_at=None, updated_by=None)
    return PublicViewOut(scheme=name, fields=row.fields, updated_at=row.updated_at,
                         updated_by=row.updated_by)


def set_public_view(db: Database, name: str, view: PublicViewIn, actor: Actor) -> PublicViewOut:
    """Decide what a scheme's units show the public (replacing the list before); the audit
    trail keeps the list before and after."""
    now = dt.datetime.now(dt.UTC)
    fields = list(view.fields)
    with db.transaction() as conn:
        hold_lock(conn, PUBLIC_VIEW_LOCK)
        scheme_id = _scheme_id(conn, name)
        before = conn.execute(select(public_views.c.fields).where(
            public_views.c.scheme_id == scheme_id)).scalar()
        conn.execute(public_views.delete().where(public_views.c.scheme_id == scheme_id))
        conn.execute(public_views.insert().values(scheme_id=scheme_id, fields=fields,
                                                  updated_at=now, updated_by=actor.name))
        audit.record(conn, actor, "scheme.public-view", Target("scheme", name, scheme_id),
                     {"fields": before or []}, {"fields": fields})
    return PublicViewOut(scheme=name, fields=fields, updated_at=now, updated_by=actor.name)
