"""GS1 values of label templates: AIs read from the template's literal `(NN)`, data checked
against the AI table of the `gs1` package (element rules, and message rules over the label)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gs1 import (
    GS,
    Problem,
    check_element,
    digital_link,
    element_string,
    exclusion_problems,
    hri,
    is_predefined_length,
    lookup,
    requirement_problems,
    value_problems,
)
from templates import placeholders
from templates.errors import TemplateError
from templates.placeholders import Part, Record

__all__ = ["DIGITAL_LINK_BASE", "GS", "Segment", "check_elements", "digital_link_uri",
           "element_string", "fill", "hri",
           "is_predefined_length", "label_problems", "literal", "parse_template", "validate"]
# The record key under which the service hands a label its Digital Link base address.
DIGITAL_LINK_BASE = "digital_link_base"
_AI = re.compile(r"(?<!\\)\((\d{2,4})\)")


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
    text = text.replace("\\(", "(")  # `\(` is a literal bracket in the data, as in GS1's HRI
    if not text:
        return
    if not segments:
        raise ValueError(f"GS1 value must start with an AI such as (01), not {text!r}")
    segments[-1][1].append(text)


def _known_ai(ai: str) -> str:
    if lookup(ai) is None:
        raise ValueError(f"({ai}) is not a GS1 Application Identifier")
    return ai


def literal(segment: Segment) -> str | None:
    """Return a segment's data when it holds no placeholder, else None."""
    if all(isinstance(p, str) for p in segment.parts):
        return "".join(p for p in segment.parts if isinstance(p, str))
    return None


def fill(segments: tuple[Segment, ...], record: Record) -> tuple[Element, ...]:
    """Fill each segment's data from the record and validate it; return (ai, data) pairs.

    Which AIs a label holds is fixed by the template, so the rules over AIs alone (required
    and exclusive AIs) are checked when the template is defined (`label_problems`); here each
    element's data, repeats and signed keys.
    """
    elements = tuple((s.ai, placeholders.fill(s.parts, record)) for s in segments)
    check_elements(elements)
    return elements


def check_elements(elements: tuple[Element, ...]) -> None:
    """Raise TemplateError for the first element or data-dependent message rule broken."""
    for ai, data in elements:
        validate(ai, data)
    problem = next(iter(value_problems(elements)), None)
    if problem is not None:
        raise TemplateError(problem.message)


def validate(ai: str, data: str) -> None:
    """Raise TemplateError naming the AI and the rule when data is not valid for the AI."""
    problem = check_element(ai, data)
    if problem is not None:
        raise TemplateError(problem.message)


def label_problems(ais: list[str]) -> list[Problem]:
    """The rules over the AIs of a whole label: exclusive AIs and required partners."""
    unique = list(dict.fromkeys(ais))
    return exclusion_problems(unique) + requirement_problems(unique)


def digital_link_uri(elements: tuple[Element, ...], record: Record) -> str:
    """Return the GS1 Digital Link URI of filled element strings under the record's base."""
    base = record.get(DIGITAL_LINK_BASE)
    if not base:
        raise TemplateError("no Digital Link base address is configured "
                            "(LABELSVC_DIGITAL_LINK_BASE), so a Digital Link cannot be printed")
    try:
        return digital_link(str(base), elements)
    except ValueError as exc:
        raise TemplateError(str(exc)) from None
