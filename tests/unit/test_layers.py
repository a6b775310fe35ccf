"""Imports point one way: down the layers of DEVELOPERS.md, and never round in a cycle.

Every import counts, also one inside a function or under `if TYPE_CHECKING:`: it is still a
dependency of the design. The modules are read as text (`ast`), none is imported.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("labelsvc", "numbering", "templates", "printers", "gs1", "hibc")

# Imports allowed to break a rule for a while, each with its reason (none today). An entry that
# no longer exists, or no longer breaks a rule, fails the test: take it out of the list.
KNOWN: dict[tuple[str, str], str] = {}

# The layers, top first, and the modules each holds (a name and everything below it). A module
# may import modules of its own layer (without a cycle) and of the layers below; never one of a
# layer above, nor one of a sibling: the layers on one rank do not import each other.
RANKS: list[dict[str, tuple[str, ...]]] = [
    {"wiring": ("labelsvc.app", "labelsvc.cli", "labelsvc.server")},
    {"web": ("labelsvc.web",), "api": ("labelsvc.api",), "worker": ("labelsvc.worker",)},
    {"appcontext": ("labelsvc.appcontext",)},
    {"services": ("labelsvc.services",)},
    {"registry": ("labelsvc.registry",)},
    {"observability": ("labelsvc.observability",)},
    {"contract": ("labelsvc.contract",), "config": ("labelsvc.config",)},
    {"errors": ("labelsvc.errors",)},
    {"numbering": ("numbering",), "templates": ("templates",), "printers": ("printers",)},
    {"gs1": ("gs1",), "hibc": ("hibc",)},
]
# `labelsvc` itself (its __init__) is wiring too, but only the package, not all below it.
EXACT = {"labelsvc": "wiring"}

# Outside packages that only some layers may import.
WEB_FRAMEWORK = ("flask", "werkzeug", "jinja2")
DATABASE = ("sqlalchemy", "alembic")
MAY_NOT_IMPORT = {
    "services": WEB_FRAMEWORK, "registry": WEB_FRAMEWORK, "worker": WEB_FRAMEWORK,
    "errors": WEB_FRAMEWORK, "config": WEB_FRAMEWORK,
    "contract": WEB_FRAMEWORK + DATABASE,
    "numbering": WEB_FRAMEWORK + DATABASE, "templates": WEB_FRAMEWORK + DATABASE,
    "printers": WEB_FRAMEWORK + DATABASE, "gs1": WEB_FRAMEWORK + DATABASE,
    "hibc": WEB_FRAMEWORK + DATABASE,
}


@dataclass(frozen=True)
class Edge:
    """One import: `source` (at `path:line`) needs `target`."""

    source: str
    target: str
    path: str
    line: int

    def where(self) -> str:
        return f"{self.path}:{self.line}: {self.source} imports {self.target}"


def module_files() -> dict[str, Path]:
    """Every module of the four packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """What a module imports, anywhere in it: module names (ours, or outside ones) and lines."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (submodule if submodule in modules else base), node.lineno


def layer_of(module: str) -> str | None:
    """The layer a module belongs to, or None for a module outside the four packages."""
    if module in EXACT:
        return EXACT[module]
    for rank in RANKS:
        for layer, prefixes in rank.items():
            if any(module == p or module.startswith(p + ".") for p in prefixes):
                return layer
    return None


RANK = {layer: i for i, rank in enumerate(RANKS) for layer in rank}


def graph() -> tuple[list[Edge], list[Edge]]:
    """Edges between our modules, and edges from ours to outside packages."""
    modules = module_files()
    ours: dict[Edge, None] = {}
    outside: dict[Edge, None] = {}
    for name, path in modules.items():
        where = str(path.relative_to(ROOT))
        for target, line in imports(name, path, modules):
            if target == "__future__" or target == name:
                continue
            edges = ours if target.split(".")[0] in PACKAGES else outside
            edges[Edge(name, target, where, line)] = None
    return list(ours), list(outside)


def layer_breach(edge: Edge) -> str | None:
    """The rule an edge between our modules breaks, or None."""
    source, target = layer_of(edge.source), layer_of(edge.target)
    if source is None or target is None:
        return f"{edge.source if source is None else edge.target} belongs to no layer"
    if source == target:
        return None
    if RANK[target] < RANK[source]:
        return f"{source} may not import {target}, a layer above it"
    if RANK[target] == RANK[source]:
        return f"{source} may not import {target}: layers on one rank stay apart"
    return None


def cycles(edges: list[Edge]) -> list[list[str]]:
    """The groups of modules that import each other round in a circle (Tarjan's algorithm)."""
    after: dict[str, set[str]] = {}
    for edge in edges:
        after.setdefault(edge.source, set()).add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(after.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(after):
        if node not in index:
            visit(node)
    return found


def known_removed(edges: list[Edge]) -> list[Edge]:
    return [e for e in edges if (e.source, e.target) not in KNOWN]


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = sorted(m for m in module_files() if layer_of(m) is None)
    assert not unplaced, f"put these modules in a layer of RANKS (and DEVELOPERS.md): {unplaced}"


def test_no_import_points_up_or_sideways() -> None:
    ours, _ = graph()
    breaches = [f"{e.where()} ({rule})" for e in known_removed(ours)
                if (rule := layer_breach(e)) is not None]
    assert not breaches, "imports against the layers:\n" + "\n".join(breaches)


def test_no_modules_import_each_other_round_in_a_cycle() -> None:
    ours = known_removed(graph()[0])
    found = cycles(ours)
    report = []
    for group in found:
        inside = [e.where() for e in ours if e.source in group and e.target in group]
        report.append(" <-> ".join(group) + "\n    " + "\n    ".join(sorted(set(inside))))
    assert not found, "modules that import each other:\n" + "\n".join(report)


def test_layers_keep_to_their_outside_packages() -> None:
    _, outside = graph()
    breaches = []
    for edge in outside:
        layer = layer_of(edge.source)
        banned = MAY_NOT_IMPORT.get(layer or "", ())
        if edge.target.split(".")[0] in banned:
            breaches.append(f"{edge.where()} ({layer} may not import {', '.join(banned)})")
    assert not breaches, "\n".join(breaches)


def test_every_known_exception_is_still_needed() -> None:
    ours = graph()[0]
    kept = known_removed(ours)
    stale = []
    for (source, target), reason in KNOWN.items():
        edge = next((e for e in ours if (e.source, e.target) == (source, target)), None)
        if edge is None:
            stale.append(f"{source} -> {target}: no such import any more")
        elif layer_breach(edge) is None and not closes_a_cycle(edge, kept):
            stale.append(f"{edge.where()}: breaks no rule any more ({reason})")
    assert not stale, "take these out of KNOWN:\n" + "\n".join(stale)


def closes_a_cycle(edge: Edge, edges: list[Edge]) -> bool:
    """Say whether `edge.target` leads back to `edge.source` over `edges`."""
    after: dict[str, set[str]] = {}
    for e in edges:
        after.setdefault(e.source, set()).add(e.target)
    seen, todo = set(), [edge.target]
    while todo:
        node = todo.pop()
        if node == edge.source:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(after.get(node, ()))
    return False


def test_the_rules_catch_what_they_should() -> None:
    up = Edge("labelsvc.registry.setup", "labelsvc.services.schemes", "x.py", 1)
    side = Edge("labelsvc.worker.jobs", "labelsvc.api.http", "x.py", 1)
    down = Edge("labelsvc.services.printing", "labelsvc.observability.context", "x.py", 1)
    pure = Edge("numbering.scheme", "labelsvc.errors", "x.py", 1)
    assert "a layer above" in (layer_breach(up) or "")
    assert "stay apart" in (layer_breach(side) or "")
    assert layer_breach(down) is None
    assert "a layer above" in (layer_breach(pure) or "")
    loop = [Edge("a", "b", "a.py", 1), Edge("b", "c", "b.py", 1), Edge("c", "a", "c.py", 1),
            Edge("c", "d", "c.py", 2)]
    assert cycles(loop) == [["a", "b", "c"]]
    assert closes_a_cycle(loop[2], loop[:2]) and not closes_a_cycle(loop[3], loop[:3])


def test_a_worker_process_loads_no_web_framework() -> None:
    probe = ("import labelsvc.worker, sys; print(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('flask', 'werkzeug') "
             "or m.startswith('labelsvc.web') or m.startswith('labelsvc.api')))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout
