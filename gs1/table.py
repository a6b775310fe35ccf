"""The AI table: every GS1 Application Identifier, read from `ais.txt` (its source and version)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE_FILE = Path(__file__).with_name("ais.txt")
_COMPONENT = re.compile(r"^(\[)?([NXYZ])(\.\.)?(\d+)((?:,[a-z0-9]+)*)(\])?$")


@dataclass(frozen=True, slots=True)
class Component:
    """One part of an AI's data: character set, length range, optional, linters."""

    charset: str  # N digits, X GS1 set 82, Y GS1 set 39, Z GS1 set 64
    min: int
    max: int
    optional: bool
    linters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AI:
    """What the General Specifications say about one AI."""

    ai: str
    title: str
    predefined: bool  # predefined length: no FNC1 separator after it
    dl_attribute: bool  # may stand in a Digital Link query
    components: tuple[Component, ...]
    requires: tuple[tuple[tuple[str, ...], ...], ...]  # each req: alternatives of all-of patterns
    excludes: tuple[str, ...]
    dl_key: bool
    dl_qualifiers: tuple[tuple[str, ...], ...]  # alternative ordered qualifier sequences

    @property
    def min_length(self) -> int:
        """Shortest data: the mandatory components' minimum lengths."""
        return sum(c.min for c in self.components if not c.optional)

    @property
    def max_length(self) -> int:
        """Longest data: every component at its maximum."""
        return sum(c.max for c in self.components)

    @property
    def fixed_length(self) -> bool:
        """True when the data has exactly one possible length."""
        return self.min_length == self.max_length

    @property
    def label(self) -> str:
        """`(01) GTIN`, the way errors name an AI."""
        return f"({self.ai}) {self.title}"


def _component(text: str, line: str) -> Component:
    m = _COMPONENT.match(text)
    if m is None or bool(m.group(1)) != bool(m.group(6)):
        raise ValueError(f"{TABLE_FILE.name}: bad component {text!r} in {line!r}")
    size = int(m.group(4))
    linters = tuple(x for x in m.group(5).split(",") if x)
    return Component(m.group(2), 1 if m.group(3) else size, size, bool(m.group(1)), linters)


def _expand(field: str) -> list[str]:
    if "-" not in field:
        return [field]
    first, last = field.split("-")
    return [str(n).zfill(len(first)) for n in range(int(first), int(last) + 1)]


def _parse_line(line: str) -> list[AI]:
    body, _, title = line.partition("#")
    words = body.split()
    ais = _expand(words.pop(0))
    flags = words.pop(0) if words and not re.match(r"^\[?[NXYZ]", words[0]) else ""
    components: list[Component] = []
    requires: list[tuple[tuple[str, ...], ...]] = []
    excludes: list[str] = []
    dl_key = False
    qualifiers: tuple[tuple[str, ...], ...] = ()
    for word in words:
        if word.startswith("req="):
            requires.append(tuple(tuple(alt.split("+")) for alt in word[4:].split(",")))
        elif word.startswith("ex="):
            excludes.extend(word[3:].split(","))
        elif word == "dlpkey":
            dl_key = True
        elif word.startswith("dlpkey="):
            dl_key = True
            qualifiers = tuple(tuple(seq.split(",")) for seq in word[7:].split("|"))
        else:
            components.append(_component(word, line))
    if not components or any(c.min != c.max or c.optional for c in components[:-1]):
        raise ValueError(f"{TABLE_FILE.name}: only the last component may vary: {line!r}")
    return [AI(ai, title.strip(), "*" in flags, "?" in flags, tuple(components),
               tuple(requires), tuple(excludes), dl_key, qualifiers) for ai in ais]


@cache
def table() -> dict[str, AI]:
    """Return every AI of the table, by AI."""
    found: dict[str, AI] = {}
    for raw in TABLE_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for entry in _parse_line(line):
            if entry.ai in found:
                raise ValueError(f"{TABLE_FILE.name}: AI ({entry.ai}) is listed twice")
            found[entry.ai] = entry
    return found


def table_version() -> str:
    """Return the table's version line (`2025.1 (541 AIs)`)."""
    for line in TABLE_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# Table version:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def lookup(ai: str) -> AI | None:
    """Return the AI's entry, or None when the table has no such AI."""
    return table().get(ai)


def ai_at(text: str, pos: int = 0) -> AI | None:
    """Return the AI that starts at `pos` (AIs are 2 to 4 digits; none is a prefix of another)."""
    for size in (2, 3, 4):
        found = table().get(text[pos : pos + size])
        if found is not None:
            return found
    return None


def matches(pattern: str, ai: str) -> bool:
    """True when an AI fits a table pattern such as `392n` or `31nn` (n: any digit)."""
    return len(pattern) == len(ai) and all(p == a or (p == "n" and a.isdigit())
                                           for p, a in zip(pattern, ai, strict=True))
