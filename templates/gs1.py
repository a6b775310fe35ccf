"""GS1 element strings: AIs read from the template's literal `(NN)`, validated with biip."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString

from templates import placeholders
from templates.errors import TemplateError
from templates.placeholders import Part, Record

GS = "\x1d"
# GS1 General Specifications fig. 7.8.5-2: element strings of predefined length, by AI prefix.
PREDEFINED_LENGTH_PREFIXES = frozenset(
    ["00", "01", "02", "03", "04", "20", "31", "32", "33", "34", "35", "36", "41"]
    + [str(n) for n in range(11, 20)]
)
_AI = re.compile(r"\((\d{2,4})\)")


@dataclass(frozen=True, slots=True)
class Segment:
    """One element string of a template value: its AI and the parts that fill its data."""

    ai: str
    parts: tuple[Part, ...]


Element = tuple[str, str]


def parse_template(text: str) -> tuple[Segment, ...]:
    """Read the AIs from the literal `(NN)` of a GS1 value; raise ValueError if it has none."""
    segments: list[tuple[str, list[Part]]] = []
    for part in placeholders.parse(text):
        if isinstance(part, placeholders.Placeholder):
            if not segments:
                raise ValueError(f"GS1 value must start with an AI such as (01), not {part.text}")
            segments[-1][1].append(part)
            continue
        pos = 0
        for m in _AI.finditer(part):
            _append_literal(segments, part[pos : m.start()])
            segments.append((_known_ai(m.group(1)), []))
            pos = m.end()
        _append_literal(segments, part[pos:])
    if not segments:
        raise ValueError("GS1 value needs at least one AI written as (NN), e.g. (01)")
    return tuple(Segment(ai, tuple(parts)) for ai, parts in segments)


def _append_literal(segments: list[tuple[str, list[Part]]], text: str) -> None:
    if not text:
        return
    if not segments:
        raise ValueError(f"GS1 value must start with an AI such as (01), not {text!r}")
    segments[-1][1].append(text)


def _known_ai(ai: str) -> str:
    try:
        found = GS1ApplicationIdentifier.extract(ai)
    except ParseError:
        found = None
    if found is None or found.ai != ai:
        raise ValueError(f"({ai}) is not a GS1 Application Identifier")
    return ai


def fill(segments: tuple[Segment, ...], record: Record) -> tuple[Element, ...]:
    """Fill each segment's data from the record and validate it; return (ai, data) pairs."""
    elements = tuple((s.ai, placeholders.fill(s.parts, record)) for s in segments)
    for ai, data in elements:
        validate(ai, data)
    return elements


@lru_cache(maxsize=8192)
def validate(ai: str, data: str) -> None:
    """Raise TemplateError when data is not valid for the AI (length, charset, check, date)."""
    try:
        element = GS1ElementString.parse(ai + data)
    except ParseError:
        info = GS1ApplicationIdentifier.extract(ai)
        raise TemplateError(
            f"({ai}) {info.data_title} must be {_describe(info.format)}, got {data!r}"
        ) from None
    problem = element.gtin_error or element.sscc_error or element.gln_error
    if problem:
        raise TemplateError(f"({ai}) {data!r} has a wrong check digit")


def _describe(fmt: str) -> str:
    data = fmt.split("+", 1)[-1]
    kind = "digits" if data.startswith("N") else "characters of GS1 set 82"
    size = data[1:]
    if size.startswith(".."):
        return f"1 to {size[2:]} {kind}"
    return f"exactly {size} {kind}"


def is_predefined_length(ai: str) -> bool:
    """Return True when no FNC1 separator is needed after this AI."""
    return ai[:2] in PREDEFINED_LENGTH_PREFIXES


def element_string(elements: tuple[Element, ...]) -> str:
    """Return AI+data joined with GS after each non-final element of variable length."""
    out: list[str] = []
    last = len(elements) - 1
    for i, (ai, data) in enumerate(elements):
        out.append(ai + data)
        if i != last and not is_predefined_length(ai):
            out.append(GS)
    return "".join(out)


def hri(elements: tuple[Element, ...]) -> str:
    """Return the parenthesised human-readable form, e.g. `(01)09506000134352(10)ABC`."""
    return "".join(f"({ai}){data}" for ai, data in elements)
