"""Definition-time rules of the pattern language, in words a plant engineer can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from numbering.checks import VIN_CHARS
from numbering.pattern import (
    RESERVED,
    Check,
    Counter,
    Date,
    Field,
    Literal,
    Shape,
    Token,
    choice,
)
from numbering.radix import DIGITS

Problem = tuple[tuple[str | int, ...], str]

_YEAR_TOKENS = {"YYYY", "YY", "Y", "YC"}


def shapes(tokens: Sequence[Token], codes: Mapping[str, Mapping[str, str]],
           charset: frozenset[str]) -> list[Shape]:
    """Describe what each token can print (used by parsing, overlap and the rules below)."""
    out = []
    for tok in tokens:
        if isinstance(tok, Literal):
            out.append(choice((tok.text,)))
        elif isinstance(tok, Field):
            table = codes.get(tok.name)
            if table:
                out.append(choice(tuple(table.values())))
            else:
                out.append(Shape(charset, tok.width or 1, tok.width))
        elif isinstance(tok, Date):
            t = tok.token
            if t.name in ("YYYY", "GGGG", "YY", "GG", "Y"):
                out.append(Shape(frozenset(DIGITS), t.width, t.width))
            else:
                out.append(choice(t.values))
        elif isinstance(tok, Counter):
            out.append(Shape(frozenset(tok.digits), tok.width, tok.width))
        else:
            alg = tok.algorithm
            out.append(Shape(frozenset(alg.output), alg.width, alg.width))
    return out


def check_timezones(timezone: str, site_timezones: Mapping[str, str]) -> list[Problem]:
    """Every time zone must be an IANA name such as Europe/Berlin."""
    problems: list[Problem] = []
    for loc, name in [(("timezone",), timezone)] + [
        (("site_timezones", site), tz) for site, tz in site_timezones.items()
    ]:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append((loc, f"unknown time zone {name!r}; use an IANA name such as "
                                  "Europe/Berlin or America/Chicago"))
    return problems


# What an identifier may hold so that every label can carry it: printable ASCII (Code 128's
# character set; the GS1 character sets of serials and lots lie within it).
BARCODE_CHARS = frozenset(chr(c) for c in range(0x20, 0x7F))


def _unprintable(text: str) -> str | None:
    """The first character of `text` outside printable ASCII, described, or None."""
    bad = next((c for c in text if c not in BARCODE_CHARS), None)
    return None if bad is None else f"{bad!r} (U+{ord(bad):04X})"


def check_barcode_characters(tokens: Sequence[Token], codes: Mapping[str, Mapping[str, str]],
                             charset: frozenset[str]) -> list[Problem]:
    """Every character an identifier can hold must be one every label's barcode carries:
    printable ASCII, in the pattern's fixed text, the code tables and the free fields' charset."""
    problems: list[Problem] = []
    cannot = "which a Code 128 or GS1 barcode cannot carry; use printable ASCII"
    for tok in tokens:
        bad = _unprintable(tok.text) if isinstance(tok, Literal) else None
        if bad:
            problems.append((("pattern",), f"the pattern's text holds {bad}, {cannot}"))
    for name, table in codes.items():
        for request_value, code in table.items():
            bad = _unprintable(code)
            if bad:
                problems.append((("codes", name, request_value),
                                 f"the code {code!r} holds {bad}, {cannot}"))
    bad = _unprintable("".join(sorted(charset)))
    if bad:
        problems.append((("charset",), f"the charset holds {bad}, {cannot}"))
    return problems


def check_codes(tokens: Sequence[Token], codes: Mapping[str, Mapping[str, str]],
                charset: frozenset[str]) -> list[Problem]:
    """Code tables must reverse uniquely and fit the widths the pattern asks for."""
    problems: list[Problem] = []
    widths = {t.name: t.width for t in tokens if isinstance(t, Field)}
    for name, table in codes.items():
        seen: dict[str, str] = {}
        for request_value, code in table.items():
            loc = ("codes", name, request_value)
            if code == "":
                problems.append((loc, f"the code for {name} {request_value!r} is empty"))
            elif code in seen:
                problems.append((loc, f"{name} {seen[code]!r} and {request_value!r} both print "
                                      f"{code!r}; codes must be unique so labels can be read "
                                      "back"))
            seen[code] = request_value
            width = widths.get(name)
            if width is not None and code and len(code) != width:
                problems.append((loc, f"{{{name}:{width}}} prints exactly {width} characters, "
                                      f"but the code for {request_value!r} is {code!r}"))
            if any(c in "{}" for c in code):
                problems.append((loc, "a code may not contain braces"))
    return problems


def check_tokens(tokens: Sequence[Token], token_shapes: Sequence[Shape],
                 scope: Sequence[str] | None) -> list[Problem]:
    """Counts, positions and combinations of tokens."""
    problems: list[Problem] = []
    p: tuple[str, ...] = ("pattern",)
    counters = [t for t in tokens if isinstance(t, Counter) and not t.random]
    checks = [t for t in tokens if isinstance(t, Check)]
    if len(counters) > 1:
        problems.append((p, "a pattern may hold at most one {seq} counter"))
    if len(checks) > 1:
        problems.append((p, "a pattern may hold at most one {check} character"))
    names = [t.name for t in tokens if isinstance(t, Field)]
    for name in names:
        if name in RESERVED:
            problems.append((p, f"{{{name}}} is reserved; {name} needs a width"))
    for i, tok in enumerate(tokens):
        if isinstance(tok, Check) and tok.algorithm.slug != "vin" and any(
            not isinstance(t, Literal) for t in tokens[i + 1:]
        ):
            problems.append((p, f"{tok.source} must be the last token of the pattern"))
    dates = {t.name for t in tokens if isinstance(t, Date)}
    if "WW" in dates and dates & _YEAR_TOKENS:
        year = sorted(dates & _YEAR_TOKENS)[0]
        problems.append((p, f"{{WW}} with {{{year}}} gives wrong codes at year ends "
                            "(2027-01-01 is week 53 of 2026); use {GG} or {GGGG} with {WW}"))
    if scope is not None:
        usable = set(names) | dates
        for i, name in enumerate(scope):
            if name not in usable:
                problems.append((("scope", i), f"scope names {name!r}, which is not a field "
                                               "or date token of the pattern"))
    problems += _check_vin(tokens, token_shapes)
    problems += _check_separators(tokens, token_shapes)
    return problems


def _check_vin(tokens: Sequence[Token], token_shapes: Sequence[Shape]) -> list[Problem]:
    vin = [t for t in tokens if isinstance(t, Check) and t.algorithm.slug == "vin"]
    if not vin:
        return []
    rule = (f"{vin[0].source} must be character 9 of a 17-character VIN made only of VIN "
            "characters (0-9 and A-Z without I, O, Q)")
    if not all(s.fixed for s in token_shapes):
        return [(("pattern",), rule + "; every token needs a fixed width")]
    position = 0
    for tok, shape in zip(tokens, token_shapes, strict=True):
        if tok is vin[0]:
            break
        position += shape.min_len
    total = sum(s.min_len for s in token_shapes)
    if position != 8 or total != 17:
        return [(("pattern",), rule + f"; here it is character {position + 1} of {total}")]
    bad = sorted(set().union(*(s.chars for s in token_shapes)) - set(VIN_CHARS))
    if bad:
        return [(("pattern",), rule + f"; the pattern can print {''.join(bad)!r}")]
    return []


def _check_separators(tokens: Sequence[Token], token_shapes: Sequence[Shape]) -> list[Problem]:
    """Two variable-width fields need a literal between them that neither can print."""
    variable = [i for i, s in enumerate(token_shapes) if not s.fixed]
    problems: list[Problem] = []
    for a, b in zip(variable, variable[1:], strict=False):
        between: set[str] = set()
        for tok, s in zip(tokens[a:b + 1], token_shapes[a:b + 1], strict=True):
            if not isinstance(tok, Literal):
                between |= s.chars
        separators = {c for t in tokens[a + 1:b] if isinstance(t, Literal) for c in t.text}
        if not separators - between:
            problems.append((("pattern",), f"{tokens[a].source} and {tokens[b].source} have no "
                             "fixed width; put a literal separator between them that neither "
                             "can contain (for example '-'), or give them a width, so "
                             "printed values can be read back"))
    return problems


def check_alphabet(tokens: Sequence[Token], token_shapes: Sequence[Shape]) -> list[Problem]:
    """The check algorithm must be able to compute over everything the tokens can print."""
    checks = [t for t in tokens if isinstance(t, Check)]
    if not checks:
        return []
    alg = checks[0].algorithm
    problems: list[Problem] = []
    for tok, shape in zip(tokens, token_shapes, strict=True):
        if isinstance(tok, Literal | Check):
            continue
        bad = sorted(shape.chars - set(alg.alphabet))
        if bad:
            problems.append((("pattern",), f"{checks[0].source} computes over "
                             f"{_describe(alg.alphabet)} only, but {tok.source} can print "
                             f"{''.join(bad[:10])!r}; choose a check algorithm for letters "
                             "(mod37-36) or a code table of digits"))
    return problems


def _describe(alphabet: str) -> str:
    return "digits" if alphabet == DIGITS else f"the characters {alphabet}"
