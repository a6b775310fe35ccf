"""Scanner text as scanners really send it: AIM symbology identifiers, GS separators written
in several ways, identifiers without their `]` or with a `]` that a keyboard layout turned into
another character, bracketed HRI typed by hand, Digital Link URIs and plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from biip.checksums import gs1_standard_check_digit

from gs1.digital_link import looks_like_digital_link, looks_like_uri, read_digital_link
from gs1.element import Element, Problem
from gs1.message import GS, Message, read_element_string, read_hri

Kind = Literal["gs1", "gs1-hri", "digital-link", "plain"]

# AIM symbology identifiers (ISO/IEC 15424) whose data are GS1 element strings.
GS1_SYMBOLOGIES = {"C1": "gs1-128", "e0": "gs1-databar", "d2": "gs1-datamatrix",
                   "Q3": "gs1-qr", "J1": "gs1-dotcode"}
# Identifiers whose data is plain text (a Digital Link URI in it is read as one).
PLAIN_SYMBOLOGIES = {"C0": "code128", "A0": "code39", "I0": "itf", "I1": "itf",
                     "d1": "datamatrix", "Q1": "qr", "J0": "dotcode", "z0": "aztec",
                     "L0": "pdf417", "E0": "ean13", "E4": "ean8"}
# The AIM code letters a symbology identifier may carry; the modifier is a digit (Aztec also
# has A to C).
AIM_CODES = frozenset("ACdEeFGHIJLMQRSXz")
_MODIFIERS = "0123456789"
# How scanners and keyboard wedges write the GS separator (FNC1 in the middle of the data).
GS_TOKENS = ("<GS>", "{GS}", "[GS]", "<FNC1>", "{FNC1}", "[FNC1]", "^]", "\\x1d", "\\x1D",
             "\\u001d", "\\u001D", "\u241d")
# What a `]` becomes when a scanner types US key codes into another layout: `+` (German,
# Spanish, Italian), `$` (French, Belgian), `¨` (Swiss, Nordic). A scanner that drops it sends
# the identifier alone (`C1…`).
WEDGE_BRACKETS = ("+", "$", "¨", "")


@dataclass(frozen=True, slots=True)
class Scan:
    """What a scan says: its kind, symbology, element strings, plain value and problems."""

    kind: Kind
    symbology: str | None  # gs1-128, qr, …: from the identifier (None without one)
    identifier: str | None  # the AIM identifier as meant (`]C1`), also when typed as `+C1`
    elements: tuple[Element, ...] = ()
    problems: tuple[Problem, ...] = ()
    plain: str | None = None
    certain: bool = True  # False: bare text that may also be a plain value

    @property
    def valid(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def normalise_separators(text: str) -> str:
    """Return GS1 data with every written form of the GS separator as the GS character."""
    for token in GS_TOKENS:
        text = text.replace(token, GS)
    # An FNC1 that a scanner passes on as a symbology identifier in mid-data is a separator.
    for sym in GS1_SYMBOLOGIES:
        text = text.replace("]" + sym, GS)
    return text


def _gs1(kind: Kind, code: str | None, message: Message, certain: bool = True) -> Scan:
    return Scan(kind, _name(code), _identifier(code), message.elements, message.problems,
                None, certain)


def _name(code: str | None) -> str | None:
    if code is None:
        return None
    return GS1_SYMBOLOGIES.get(code) or PLAIN_SYMBOLOGIES.get(code, f"aim-{code.lower()}")


def _identifier(code: str | None) -> str | None:
    return None if code is None else "]" + code


def _refused(kind: Kind, code: str | None, message: str, plain: str | None = None) -> Scan:
    return Scan(kind, _name(code), _identifier(code), (), (Problem(None, message),), plain)


def _gs1_payload(code: str, payload: str) -> Scan:
    data = normalise_separators(payload)
    if "^" in data:
        return _refused("gs1", code, "GS1 data may not contain '^'")
    return _gs1("gs1", code, read_element_string(data))


def _ean(code: str, digits: str, length: int) -> Scan:
    name = "EAN-13 or UPC-A" if length == 13 else "EAN-8"
    if len(digits) != length or not digits.isdigit():
        return _refused("plain", code, f"an {name} scan carries {length} digits, not {digits!r}",
                        digits)
    want = str(gs1_standard_check_digit(digits[:-1]))
    if digits[-1] != want:
        return _refused("plain", code, f"the {name} check digit {digits[-1]} is wrong "
                                       f"(should be {want})", digits)
    return Scan("plain", _name(code), _identifier(code), plain=digits)


def _plain_payload(code: str | None, payload: str) -> Scan:
    if looks_like_digital_link(payload):
        return _gs1("digital-link", code, read_digital_link(payload))
    return Scan("plain", _name(code), _identifier(code), plain=payload)


def read_scan(data: str) -> Scan:
    """Read scanner text (see the module docstring for the forms it understands)."""
    text = data.strip("\r\n")
    if text.startswith("]"):
        return _with_identifier(text)
    if text.startswith("("):
        return _gs1("gs1-hri", None, read_hri(text))
    if looks_like_uri(text):
        return _plain_payload(None, text)
    for bracket in WEDGE_BRACKETS:
        for sym in GS1_SYMBOLOGIES:
            head = bracket + sym
            if text.startswith(head) and len(text) > len(head):
                message = read_element_string(normalise_separators(text[len(head):]))
                if not message.element_problems:
                    return _gs1("gs1", sym, message, certain=False)
    normalised = normalise_separators(text)
    if GS in normalised:
        return _gs1("gs1", None, read_element_string(normalised.lstrip(GS)))
    message = read_element_string(text)
    if text and not message.element_problems:
        return _gs1("gs1", None, message, certain=False)
    return Scan("plain", None, None, plain=text)


def _with_identifier(text: str) -> Scan:
    code, payload = text[1:3], text[3:]
    known = len(code) == 2 and code[0] in AIM_CODES and (
        code[1] in _MODIFIERS or (code[0] == "z" and code[1] in "ABC"))
    if not known:
        return Scan("plain", None, None, (), (Problem(
            None, f"{text[:3]!r} is not a symbology identifier this service reads"),), text)
    if code in GS1_SYMBOLOGIES:
        return _gs1_payload(code, payload)
    if code in ("E0", "E4"):
        return _ean(code, payload, 13 if code == "E0" else 8)
    return _plain_payload(code, payload)
