"""Scheme use cases: define, version, read, preview, and seed the examples."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, exists, func, insert, select, update

from labelsvc.contract.models import (
    PreviewOut,
    SchemeDetailOut,
    SchemeListOut,
    SchemeOut,
    SchemeVersionOut,
)
from labelsvc.errors import NotFound, SchemeExists, SchemeOverlap, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import counters, identifiers, scheme_versions, schemes
from labelsvc.registry.queries import insert_ignoring_conflicts, iso
from labelsvc.services import audit
from labelsvc.services.audit import Target, Who, actor_name
from labelsvc.services.paging import decode_cursor, encode_cursor
from numbering import Scheme, load_examples

SYSTEM_ACTOR = "system"
Answer = TypeVar("Answer", bound=SchemeOut)


@lru_cache(maxsize=512)
def _compile(definition_json: str, stored: bool) -> Scheme:
    """Validate a definition once per process."""
    return Scheme.model_validate(json.loads(definition_json), context={"stored": stored})


def compile_scheme(definition: dict[str, Any], *, stored: bool = True) -> Scheme:
    """Turn a stored definition into a Scheme, or check a submitted one (`stored=False`).

    Rules added since a version was stored (printable ASCII only) judge new definitions;
    a stored version keeps working, so its identifiers stay readable and issuable.
    """
    return _compile(json.dumps(definition, sort_keys=True, default=str), stored)


@dataclass(frozen=True)
class CurrentScheme:
    """A scheme's row id, current version and compiled definition."""

    id: int
    name: str
    version: int
    seeded: bool
    scheme: Scheme


def scheme_out(model: type[Answer], name: str, version: int, scheme: Scheme,
               **extra: Any) -> Answer:
    """The answer of a scheme version (`model` and `extra`: an answer that extends it)."""
    return model(name=name, kind=scheme.kind, version=version, definition=scheme.definition(),
                 capacity=scheme.capacity, capacity_report=scheme.capacity_report, **extra)


_CURRENT = (select(schemes.c.id, schemes.c.name, schemes.c.seeded, scheme_versions.c.version,
                   scheme_versions.c.definition)
            .join(scheme_versions, (scheme_versions.c.scheme_id == schemes.c.id)
                  & (scheme_versions.c.version == schemes.c.current_version))
            .where(schemes.c.name == bindparam("name")))


def load_current(conn: Connection, name: str, *, for_update: bool = False) -> CurrentScheme | None:
    """Load a scheme's current version by name."""
    query = _CURRENT
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=schemes)
    row = conn.execute(query, {"name": name}).first()
    if row is None:
        return None
    return CurrentScheme(row.id, row.name, row.version, row.seeded, compile_scheme(row.definition))


def all_versions(conn: Connection) -> list[tuple[str, int, Scheme]]:
    """Every version of every scheme, for parsing values back."""
    rows = conn.execute(select(schemes.c.name, scheme_versions.c.version,
                               scheme_versions.c.definition)
                        .join(scheme_versions, scheme_versions.c.scheme_id == schemes.c.id)
                        .order_by(schemes.c.name, scheme_versions.c.version.desc()))
    return [(r.name, r.version, compile_scheme(r.definition)) for r in rows]


def _validated(definition: dict[str, Any]) -> Scheme:
    """Lint a submitted definition."""
    return compile_scheme(definition, stored=False)


def check_overlap(conn: Connection, new: Scheme) -> None:
    """Refuse a scheme that can produce another scheme's values, unless allowed."""
    if new.allow_overlap:
        return
    has_issued = exists().where(identifiers.c.scheme_id == schemes.c.id)
    rows = conn.execute(
        select(schemes.c.name, scheme_versions.c.definition)
        .join(scheme_versions, (scheme_versions.c.scheme_id == schemes.c.id)
              & (scheme_versions.c.version == schemes.c.current_version))
        .where(schemes.c.name != new.name)
        .where(~schemes.c.seeded | has_issued)
        .order_by(schemes.c.name))
    for row in rows:
        other = compile_scheme(row.definition)
        if new.overlaps(other):
            example = new.overlap_example(other)
            detail = (f"scheme {new.name} could produce values that scheme {row.name} "
                      f"also produces" + (f", e.g. {example}" if example else "")
                      + "; set allow_overlap to define it anyway")
            raise SchemeOverlap(detail, other_scheme=row.name, example=example)


def define_scheme(db: Database, definition: dict[str, Any], actor: Who,
                  *, seeded: bool = False) -> SchemeOut:
    """Define a new scheme as version 1."""
    scheme = _validated(definition)
    now = dt.datetime.now(dt.UTC)
    by = actor_name(actor)
    with db.transaction() as conn:
        if load_current(conn, scheme.name) is not None:
            raise SchemeExists(f"a scheme named {scheme.name} exists; PUT a new version instead")
        check_overlap(conn, scheme)
        scheme_id = conn.execute(
            insert_ignoring_conflicts(conn, schemes)
            .values(name=scheme.name, kind=scheme.kind, current_version=1, seeded=seeded,
                    created_at=now, created_by=by)
            .returning(schemes.c.id)).scalar()
        if scheme_id is None:
            raise SchemeExists(f"a scheme named {scheme.name} exists; PUT a new version instead")
        conn.execute(insert(scheme_versions).values(
            scheme_id=scheme_id, version=1, definition=scheme.definition(), created_at=now,
            created_by=by))
        audit.record(conn, actor, "scheme.define", Target("scheme", scheme.name, scheme_id),
                     None, {"version": 1, "seeded": seeded, "definition": scheme.definition()})
    return scheme_out(SchemeOut, scheme.name, 1, scheme)


def new_version(db: Database, name: str, definition: dict[str, Any], actor: Who) -> SchemeOut:
    """Add a version to a scheme; its counters carry over."""
    definition = {**definition, "name": definition.get("name", name)}
    if definition["name"] != name:
        raise ValidationFailed(f"the definition names {definition['name']!r}, the path {name!r}",
                               {"name": f"must be {name}"})
    scheme = _validated(definition)
    with db.transaction() as conn:
        current = load_current(conn, name, for_update=True)
        if current is None:
            raise NotFound(f"no scheme named {name}")
        if current.scheme.kind != scheme.kind:
            raise ValidationFailed(f"scheme {name} issues {current.scheme.kind}s; a new version "
                                   f"cannot change that",
                                   {"kind": f"must stay {current.scheme.kind}"})
        check_overlap(conn, scheme)
        version = current.version + 1
        conn.execute(insert(scheme_versions).values(
            scheme_id=current.id, version=version, definition=scheme.definition(),
            created_at=dt.datetime.now(dt.UTC), created_by=actor_name(actor)))
        conn.execute(update(schemes).where(schemes.c.id == current.id)
                     .values(current_version=version, seeded=False))
        audit.record(conn, actor, "scheme.version", Target("scheme", name, current.id),
                     {"version": current.version, "seeded": current.seeded,
                      "definition": current.scheme.definition()},
                     {"version": version, "seeded": False, "definition": scheme.definition()})
    return scheme_out(SchemeOut, name, version, scheme)


def list_schemes(db: Database, *, limit: int, cursor: str | None) -> SchemeListOut:
    """List schemes by name, a page at a time."""
    after = decode_cursor(cursor)
    with db.transaction(write=False) as conn:
        query = (select(schemes.c.name, scheme_versions.c.version, scheme_versions.c.definition)
                 .join(scheme_versions, (scheme_versions.c.scheme_id == schemes.c.id)
                       & (scheme_versions.c.version == schemes.c.current_version))
                 .order_by(schemes.c.name).limit(limit + 1))
        if after:
            query = query.where(schemes.c.name > after[0])
        rows = conn.execute(query).all()
    items = [scheme_out(SchemeOut, r.name, r.version, compile_scheme(r.definition))
             for r in rows[:limit]]
    next_cursor = encode_cursor(rows[limit - 1].name) if len(rows) > limit else None
    return SchemeListOut(items=items, next_cursor=next_cursor)


def read_scheme(db: Database, name: str) -> SchemeDetailOut:
    """Read a scheme with all its versions."""
    with db.transaction(write=False) as conn:
        current = load_current(conn, name)
        if current is None:
            raise NotFound(f"no scheme named {name}")
        rows = conn.execute(select(scheme_versions).where(scheme_versions.c.scheme_id == current.id)
                            .order_by(scheme_versions.c.version)).all()
    versions = [SchemeVersionOut(version=r.version, definition=r.definition,
                                 created_at=iso(r.created_at), created_by=r.created_by)
                for r in rows]
    return scheme_out(SchemeDetailOut, name, current.version, current.scheme, versions=versions)


def preview(db: Database, name: str, fields: dict[str, str], date: dt.date | dt.datetime | None,
            count: int) -> PreviewOut:
    """Show the next values a request would get, consuming nothing."""
    with db.transaction(write=False) as conn:
        current = load_current(conn, name)
        if current is None:
            raise NotFound(f"no scheme named {name}")
        scheme = current.scheme
        day = scheme.production_date(fields, date)
        key = scheme.counter_key(fields=fields, date=day)
        next_seq = conn.execute(select(counters.c.next).where(
            (counters.c.scheme_id == current.id) & (counters.c.key == key))).scalar()
    first = max(next_seq or scheme.start, scheme.start)
    last = scheme.start + scheme.capacity - 1
    remaining = max(0, last - first + 1)
    values = [scheme.format(fields=fields, date=day, seq=seq)
              for seq in range(first, min(first + count, last + 1))]
    return PreviewOut(identifiers=values, counter=key, capacity=scheme.capacity,
                      capacity_report=scheme.capacity_report, remaining=remaining)


def seed_examples(db: Database) -> list[str]:
    """Define the shipped example schemes when the registry has none."""
    with db.transaction() as conn:
        if conn.execute(select(func.count()).select_from(schemes)).scalar():
            return []
        names = []
        for definition in load_examples():
            names.append(define_scheme(db, definition, SYSTEM_ACTOR, seeded=True).name)
    return names
