"""The genealogy graph: one step of "made from" links and lot membership, and walks over it.

A serial issued into a lot is made from that lot; a component link says a parent was made
from its component. Down is what something is made of, up is what contains it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from labelsvc.registry.models import genealogy, identifiers
from labelsvc.registry.queries import chunks

UP, DOWN = "up", "down"
# Links deeper than this are not followed (a guard against runaway data).
MAX_DEPTH = 100


def neighbours(conn: Connection, ids: Sequence[int], direction: str) -> dict[int, list[int]]:
    """One step of genealogy and lot membership from each id: node -> next nodes."""
    found: dict[int, list[int]] = {}
    for part in chunks(list(ids)):
        if direction == DOWN:
            links = conn.execute(select(genealogy.c.parent_id, genealogy.c.component_id)
                                 .where(genealogy.c.parent_id.in_(part)))
            lots = conn.execute(select(identifiers.c.id, identifiers.c.lot_id)
                                .where(identifiers.c.id.in_(part)
                                       & identifiers.c.lot_id.is_not(None)))
        else:
            links = conn.execute(select(genealogy.c.component_id, genealogy.c.parent_id)
                                 .where(genealogy.c.component_id.in_(part)))
            lots = conn.execute(select(identifiers.c.lot_id, identifiers.c.id)
                                .where(identifiers.c.lot_id.in_(part)))
        for source, target in [*links, *lots]:
            found.setdefault(source, []).append(target)
    return found


def reachable(conn: Connection, start: int, direction: str) -> list[tuple[int, int, int]]:
    """Walk the graph breadth-first; return (id, depth, via id) in order of depth then id."""
    seen = {start}
    frontier = [start]
    out: list[tuple[int, int, int]] = []
    depth = 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        step = neighbours(conn, frontier, direction)
        level: dict[int, int] = {}
        for source in sorted(step):
            for target in step[source]:
                if target not in seen and target not in level:
                    level[target] = source
        seen.update(level)
        out += [(node, depth, level[node]) for node in sorted(level)]
        frontier = sorted(level)
    return out


def made_from(conn: Connection, starts: Sequence[int]) -> dict[int, int]:
    """Everything the `starts` are made of, transitively: node -> the start it was reached
    from (a start maps to itself)."""
    origin = {node: node for node in starts}
    frontier = list(origin)
    depth = 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        step = neighbours(conn, frontier, DOWN)
        level = []
        for source in frontier:
            for target in step.get(source, ()):
                if target not in origin:
                    origin[target] = origin[source]
                    level.append(target)
        frontier = level
    return origin
