"""One element string: its AI's data checked against the table (lengths, characters, linters)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from gs1.linters import LINTERS, charset_problem
from gs1.table import AI, lookup

Level = Literal["element", "message"]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with GS1 data: the AI it concerns (None for the whole text) and why."""

    ai: str | None
    message: str
    level: Level = "element"


Element = tuple[str, str]


def split_components(entry: AI, data: str) -> list[str] | str:
    """Return the data cut into the AI's components, or what is wrong with its length."""
    if not entry.min_length <= len(data) <= entry.max_length:
        return _wrong_length(entry, data)
    parts: list[str] = []
    pos = 0
    for i, comp in enumerate(entry.components):
        last = i == len(entry.components) - 1
        piece = data[pos:] if last else data[pos : pos + comp.max]
        if last and comp.optional and not piece:
            break
        if not comp.min <= len(piece) <= comp.max:
            return _wrong_length(entry, data)
        parts.append(piece)
        pos += len(piece)
    return parts


def _wrong_length(entry: AI, data: str) -> str:
    return f"has {len(data)} characters; it must be {describe(entry)}"


def describe(entry: AI) -> str:
    """The AI's format in words, e.g. `exactly 6 digits, then optionally exactly 6 digits`."""
    names = {"N": "digits", "X": "characters of GS1 set 82", "Y": "characters of GS1 set 39",
             "Z": "characters of URI-safe base64"}
    out = []
    for comp in entry.components:
        size = f"exactly {comp.max}" if comp.min == comp.max else f"1 to {comp.max}"
        out.append(("optionally " if comp.optional else "") + f"{size} {names[comp.charset]}")
    return ", then ".join(out)


@lru_cache(maxsize=16384)
def check_element(ai: str, data: str) -> Problem | None:
    """Return the first problem of one AI's data, or None when the General Specs allow it."""
    entry = lookup(ai)
    if entry is None:
        return Problem(ai, f"({ai}) is not a GS1 Application Identifier")
    if data == "":
        return Problem(ai, f"{entry.label}: the value is empty")
    if "\x00" in data:
        return Problem(ai, f"{entry.label}: the value holds a NUL character")
    parts = split_components(entry, data)
    if isinstance(parts, str):
        return Problem(ai, f"{entry.label}: {data!r} {parts}")
    for comp, piece in zip(entry.components, parts, strict=False):
        wrong = charset_problem(comp.charset, piece)
        for name in comp.linters:
            if wrong is not None:
                break
            wrong = LINTERS[name](piece)
        if wrong is not None:
            shown = repr(piece) if piece == data else f"{piece!r} in {data!r}"
            return Problem(ai, f"{entry.label} {shown}: {wrong}")
    return None
