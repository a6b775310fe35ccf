"""The pattern language: split a pattern into literals and tokens; describe each token's shape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from numbering.checks import ALGORITHMS, CheckAlgorithm
from numbering.dates import DATE_TOKENS, DateToken
from numbering.radix import ALPHABETS

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
RESERVED = {"seq", "rand", "check"}
MAX_WIDTH = 64


class PatternError(ValueError):
    """A pattern that cannot be read; the message names the token and the rule."""


@dataclass(frozen=True)
class Shape:
    """What a token can print: a finite set of strings, or a run of characters of a class."""

    chars: frozenset[str]
    min_len: int
    max_len: int | None               # None: unbounded (a variable-width field)
    values: tuple[str, ...] | None = None   # a finite choice (literals, code tables, dates)

    @property
    def fixed(self) -> bool:
        """True when every value this token prints has the same length."""
        return self.min_len == self.max_len


def choice(values: tuple[str, ...]) -> Shape:
    """The shape of a token that prints one of a few known strings."""
    lengths = [len(v) for v in values]
    chars = frozenset("".join(values))
    return Shape(chars, min(lengths), max(lengths), values)


@dataclass(frozen=True)
class Literal:
    """Literal text between tokens."""

    text: str

    @property
    def source(self) -> str:
        return self.text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True)
class Field:
    """A request field, e.g. {model} or {line:2}."""

    name: str
    width: int | None
    source: str


@dataclass(frozen=True)
class Date:
    """A date token, e.g. {GG} or {DDD}."""

    token: DateToken
    source: str

    @property
    def name(self) -> str:
        return self.token.name


@dataclass(frozen=True)
class Counter:
    """{seq:W:R} (random=False) or {rand:W:R} (random=True)."""

    random: bool
    width: int
    radix: str
    source: str
    digits: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digits", ALPHABETS[self.radix])

    @property
    def space(self) -> int:
        """How many distinct values the token can print."""
        return int(len(self.digits) ** self.width)


@dataclass(frozen=True)
class Check:
    """{check:ALG}."""

    algorithm: CheckAlgorithm
    source: str


Token = Literal | Field | Date | Counter | Check

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def tokenize(pattern: str) -> list[Token]:
    """Split a pattern into literals and tokens; PatternError names the first bad token."""
    out: list[Token] = []
    text: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(pattern):
        text.append(pattern[pos:m.start()])
        pos = m.end()
        raw = m.group(0)
        if raw in ("{{", "}}"):
            text.append(raw[0])
            continue
        if raw in ("{", "}"):
            raise PatternError(f"unmatched '{raw}' at character {m.start() + 1}; "
                               "write '{{' or '}}' for a literal brace")
        if "".join(text):
            out.append(Literal("".join(text)))
        text = []
        out.append(_token(m.group(1), raw))
    text.append(pattern[pos:])
    if "".join(text):
        out.append(Literal("".join(text)))
    return out


def _width(raw: str, part: str, what: str) -> int:
    if not part.isdigit() or not 1 <= int(part) <= MAX_WIDTH:
        raise PatternError(f"{raw}: the width of {what} must be a whole number from 1 to "
                           f"{MAX_WIDTH}, not {part!r}")
    return int(part)


def _token(inner: str, raw: str) -> Token:
    parts = inner.split(":")
    name = parts[0]
    if name in ("seq", "rand"):
        if len(parts) < 2 or parts[1] == "":
            raise PatternError(f"{raw} needs a width, e.g. {{{name}:5}}")
        if len(parts) > 3:
            raise PatternError(f"{raw}: write {{{name}:WIDTH}} or {{{name}:WIDTH:RADIX}}")
        radix = parts[2] if len(parts) == 3 else "10"
        if radix not in ALPHABETS:
            raise PatternError(f"{raw}: radix must be one of {', '.join(ALPHABETS)}, "
                               f"not {radix!r}")
        return Counter(name == "rand", _width(raw, parts[1], name), radix, raw)
    if name == "check":
        if len(parts) != 2 or parts[1] not in ALGORITHMS:
            raise PatternError(f"{raw}: name a check algorithm, one of "
                               f"{', '.join(ALGORITHMS)}")
        return Check(ALGORITHMS[parts[1]], raw)
    if name in DATE_TOKENS:
        if len(parts) != 1:
            raise PatternError(f"{raw}: a date token takes no width; {{{name}}} always prints "
                               f"{DATE_TOKENS[name].width} characters")
        return Date(DATE_TOKENS[name], raw)
    if not FIELD_NAME.match(name):
        if name[:1].isupper():
            raise PatternError(f"unknown token {raw}; date tokens are "
                               f"{', '.join('{' + t + '}' for t in DATE_TOKENS)}")
        raise PatternError(f"{raw} is not a token: field names are lower case letters, "
                           "digits and _ and start with a letter")
    if len(parts) > 2:
        raise PatternError(f"{raw}: write {{{name}}} or {{{name}:WIDTH}}")
    width = _width(raw, parts[1], "a field") if len(parts) == 2 else None
    return Field(name, width, raw)


def parse_charset(spec: str) -> frozenset[str]:
    """Read a character class such as 'A-HJ-NPR-Z0-9' into the set of its characters."""
    chars: set[str] = set()
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            lo, hi = spec[i], spec[i + 2]
            if ord(lo) > ord(hi):
                raise ValueError(f"range {lo}-{hi} runs backwards")
            chars.update(chr(c) for c in range(ord(lo), ord(hi) + 1))
            i += 3
        else:
            chars.add(spec[i])
            i += 1
    if not chars:
        raise ValueError("charset is empty")
    return frozenset(chars)
