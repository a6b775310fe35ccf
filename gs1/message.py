"""Whole GS1 messages: element strings with GS separators, the bracketed HRI, and the rules over
every AI of a message (required and exclusive AIs, repeats, the digital signature's key)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gs1.element import Element, Problem, check_element
from gs1.table import ai_at, lookup, matches

GS = "\x1d"


@dataclass(frozen=True, slots=True)
class Message:
    """What a text says as GS1 data: the element strings read and every problem found."""

    elements: tuple[Element, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def valid(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def element_problems(self) -> tuple[Problem, ...]:
        """The problems of single element strings (syntax and content)."""
        return tuple(p for p in self.problems if p.level == "element")


def read_element_string(text: str) -> Message:
    """Read AI data with GS separators (no FNC1 before the first AI).

    A predefined-length AI takes exactly its length; any other AI reads to the next GS or the
    end, and then its length is checked, so a wrong length is an error, never a phantom AI.
    """
    elements: list[Element] = []
    problems: list[Problem] = []
    pos = 0
    while pos < len(text):
        if text[pos] == GS:
            pos += 1  # a superfluous separator (after a predefined-length AI, or at the end)
            continue
        entry = ai_at(text, pos)
        if entry is None:
            rest = text[pos : pos + 8]
            problems.append(Problem(None, f"no GS1 Application Identifier starts at {rest!r}"))
            break
        start = pos + len(entry.ai)
        if entry.predefined:
            end = start + entry.max_length
            data = text[start:end]
            if GS in data or len(data) < entry.max_length:
                cut = data.split(GS, 1)[0]
                problems.append(Problem(entry.ai, f"{entry.label}: {cut!r} must be exactly "
                                                  f"{entry.max_length} characters"))
                break
        else:
            end = text.find(GS, start)
            end = len(text) if end == -1 else end
            data = text[start:end]
        elements.append((entry.ai, data))
        pos = end
    if not elements and not problems:
        problems.append(Problem(None, "the GS1 data is empty: no element string"))
    return checked_message(elements, problems)


def read_hri(text: str) -> Message:
    """Read the bracketed form `(01)09506000134352(10)ABC`; `\\(` is a literal bracket."""
    elements: list[Element] = []
    problems: list[Problem] = []
    pos = 0
    if not text.startswith("("):
        problem = Problem(None, "bracketed GS1 data must start with an AI such as (01)")
        return Message((), (problem,))
    while pos < len(text):
        close = text.find(")", pos)
        ai = text[pos + 1 : close] if close != -1 else ""
        if close == -1 or not ai.isdigit() or lookup(ai) is None:
            shown = text[pos : close + 1] if close != -1 else text[pos:]
            problems.append(Problem(ai or None, f"{shown!r} is not a GS1 Application Identifier"))
            break
        data, pos = _hri_data(text, close + 1)
        elements.append((ai, data))
    return checked_message(elements, problems)


def _hri_data(text: str, pos: int) -> tuple[str, int]:
    out: list[str] = []
    while pos < len(text) and text[pos] != "(":
        if text.startswith("\\(", pos):
            out.append("(")
            pos += 2
            continue
        out.append(text[pos])
        pos += 1
    return "".join(out), pos


def checked_message(elements: list[Element], problems: list[Problem]) -> Message:
    found = [p for p in (check_element(ai, data) for ai, data in elements) if p is not None]
    found.extend(problems)
    if not found:
        found.extend(message_problems(elements))
    return Message(tuple(elements), tuple(found))


def message_problems(elements: list[Element] | tuple[Element, ...]) -> list[Problem]:
    """The rules over a whole message: repeats, exclusive and required AIs, signed keys."""
    ais = list(dict.fromkeys(ai for ai, _ in elements))
    return value_problems(elements) + exclusion_problems(ais) + requirement_problems(ais)


def value_problems(elements: list[Element] | tuple[Element, ...]) -> list[Problem]:
    """The message rules that depend on the data: an AI repeated with another value, and a
    key signed by (8030) without its serial component."""
    problems: list[Problem] = []
    values: dict[str, str] = {}
    for ai, data in elements:
        if values.setdefault(ai, data) != data:
            problems.append(Problem(ai, f"({ai}) appears more than once with different values "
                                        f"({values[ai]!r} and {data!r})", "message"))
    problems.extend(_signature_problems(values))
    return problems


def exclusion_problems(ais: list[str]) -> list[Problem]:
    """AIs that must not be in one message together (each pair once)."""
    problems: list[Problem] = []
    seen: set[frozenset[str]] = set()
    for ai in ais:
        entry = lookup(ai)
        for other in ais:
            pair = frozenset((ai, other))
            if entry is None or other == ai or pair in seen:
                continue
            if any(matches(p, other) for p in entry.excludes):
                seen.add(pair)
                problems.append(Problem(ai, f"({ai}) and ({other}) must not be in one message",
                                        "message"))
    return problems


def requirement_problems(ais: list[str]) -> list[Problem]:
    """AIs whose required partners are missing from the message."""
    problems: list[Problem] = []
    for ai in ais:
        entry = lookup(ai)
        if entry is None:
            continue
        for alternatives in entry.requires:
            if not any(all(any(matches(p, o) for o in ais if o != ai) for p in group)
                       for group in alternatives):
                names = [" with ".join(f"({p})" for p in group) for group in alternatives]
                wanted = names[0] if len(names) == 1 else (
                    ", ".join(names[:-1]) + " or " + names[-1])
                problems.append(Problem(ai, f"{entry.label} needs {wanted} with it",
                                        "message"))
    return problems


# With a digital signature (8030) these keys must carry their serial component.
SIGNED_KEY_MIN = {"253": 14, "255": 14, "8003": 15}


def _signature_problems(values: dict[str, str]) -> list[Problem]:
    if "8030" not in values:
        return []
    return [Problem(ai, f"({ai}) needs its serial component when signed with (8030)", "message")
            for ai, least in SIGNED_KEY_MIN.items() if ai in values and len(values[ai]) < least]


def is_predefined_length(ai: str) -> bool:
    """True when no FNC1 separator follows this AI's data."""
    entry = lookup(ai)
    return entry is not None and entry.predefined


def element_string(elements: tuple[Element, ...] | list[Element]) -> str:
    """Return AI+data, with GS after each element but the last whose length is not predefined."""
    out: list[str] = []
    last = len(elements) - 1
    for i, (ai, data) in enumerate(elements):
        out.append(ai + data)
        if i != last and not is_predefined_length(ai):
            out.append(GS)
    return "".join(out)


def hri(elements: tuple[Element, ...] | list[Element]) -> str:
    """Return the bracketed human-readable form, e.g. `(01)09506000134352(10)ABC`."""
    return "".join(f"({ai}){data}" for ai, data in elements)
