"""The Scheme model: a named numbering format that formats, parses and keys its counters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal as TypingLiteral
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, model_validator
from pydantic import Field as PydField
from pydantic_core import InitErrorDetails, PydanticCustomError

from numbering import lint
from numbering.dates import GRANULARITY_WORDS, check_date_parts
from numbering.errors import NumberingError, ParseError, SequenceExhausted
from numbering.pattern import (
    MAX_WIDTH,
    Check,
    Counter,
    Date,
    Field,
    Literal,
    PatternError,
    Shape,
    Token,
    parse_charset,
    tokenize,
)
from numbering.radix import decode, encode, random_text

FieldValues = Mapping[str, Any]
DateInput = dt.date | dt.datetime | str | None


@dataclass(frozen=True)
class Parsed:
    """An identifier read back: request fields, date parts, counter and check result."""

    value: str
    fields: dict[str, str]
    date: dict[str, str]
    seq: int | None
    check_ok: bool | None
    counter_key: str


class Scheme(BaseModel):
    """A numbering scheme (PRODUCT §3); lint errors raise pydantic.ValidationError."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = PydField(pattern=r"^[a-z0-9-]+$", min_length=1, max_length=64)
    kind: TypingLiteral["serial", "lot"] = "serial"
    pattern: str = PydField(min_length=1, max_length=256)
    codes: dict[str, dict[str, str]] = PydField(default_factory=dict)
    charset: str = PydField(default="A-Z0-9", min_length=1, max_length=256)
    timezone: str = "UTC"
    site_timezones: dict[str, str] = PydField(default_factory=dict)
    start: int = PydField(default=1, ge=0)
    scope: list[str] | None = None
    allow_overlap: bool = False
    warranty_days: int | None = PydField(default=None, ge=0)

    _tokens: list[Token] = PrivateAttr(default_factory=list)
    _shapes: list[Shape] = PrivateAttr(default_factory=list)
    _charset: frozenset[str] = PrivateAttr(default=frozenset())
    _regex: re.Pattern[str] = PrivateAttr(default=re.compile(""))
    _key_idx: list[int] = PrivateAttr(default_factory=list)
    _reverse: dict[str, dict[str, str]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _lint(self) -> Scheme:
        problems: list[lint.Problem] = []
        token_shapes: list[Shape] = []
        try:
            charset = parse_charset(self.charset)
        except ValueError as exc:
            problems.append((("charset",), f"charset {self.charset!r}: {exc}"))
            charset = frozenset()
        try:
            tokens = tokenize(self.pattern)
        except PatternError as exc:
            problems.append((("pattern",), str(exc)))
            tokens = []
        problems += lint.check_timezones(self.timezone, self.site_timezones)
        if tokens and charset:
            problems += lint.check_codes(tokens, self.codes, charset)
            token_shapes = lint.shapes(tokens, self.codes, charset)
            problems += lint.check_tokens(tokens, token_shapes, self.scope)
            problems += lint.check_alphabet(tokens, token_shapes)
            seq = _seq(tokens)
            if seq is not None and self.start >= seq.space:
                problems.append((("start",), f"start {self.start} does not fit {seq.source}, "
                                             f"which ends at {seq.space - 1:,}"))
        if problems:
            raise ValidationError.from_exception_data(
                "Scheme",
                [InitErrorDetails(type=PydanticCustomError("scheme_rule", msg), loc=loc,
                                  input=self.pattern) for loc, msg in problems],
            )
        self._tokens = tokens
        self._shapes = token_shapes
        self._charset = charset
        self._regex = re.compile("".join(
            f"([0-9]{{{t.token.width}}})" if isinstance(t, Date) and t.name != "YC"
            else f"({_regex(s)})" for t, s in zip(tokens, token_shapes, strict=True)))
        self._reverse = {name: {c: v for v, c in table.items()}
                         for name, table in self.codes.items()}
        keyed = ({t for t in self.scope} if self.scope is not None else None)
        self._key_idx = [
            i for i, t in enumerate(tokens)
            if isinstance(t, Field | Date) and (keyed is None or t.name in keyed)
        ]
        return self

    # ---- introspection -------------------------------------------------------------------

    @property
    def tokens(self) -> list[Token]:
        """The pattern split into literals and tokens."""
        return list(self._tokens)

    @property
    def shapes(self) -> list[Shape]:
        """What each token can print."""
        return list(self._shapes)

    @property
    def has_seq(self) -> bool:
        """True when the pattern holds a {seq} counter."""
        return _seq(self._tokens) is not None

    @property
    def has_rand(self) -> bool:
        """True when the pattern holds a {rand} token."""
        return any(isinstance(t, Counter) and t.random for t in self._tokens)

    @property
    def field_names(self) -> list[str]:
        """Request fields the pattern prints, in order."""
        return list(dict.fromkeys(t.name for t in self._tokens if isinstance(t, Field)))

    @property
    def capacity(self) -> int:
        """Values per counter: R^W - start for {seq}; the random space for {rand} alone; else 1."""
        seq = _seq(self._tokens)
        if seq is not None:
            return seq.space - self.start
        space = 1
        for t in self._tokens:
            if isinstance(t, Counter):
                space *= t.space
        return space

    @property
    def capacity_report(self) -> str:
        """Capacity per counter in plant words: '99,999 per model, site and ISO week'."""
        names: list[str] = []
        grain = 0
        for i in self._key_idx:
            tok = self._tokens[i]
            if isinstance(tok, Field):
                if tok.name not in names:
                    names.append(tok.name)
            elif isinstance(tok, Date):
                grain = max(grain, tok.token.granularity)
        if grain:
            names.append(GRANULARITY_WORDS[grain])
        per = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else "".join(names)
        return f"{self.capacity:,} per {per}" if per else f"{self.capacity:,} in total"

    def definition(self) -> dict[str, Any]:
        """The definition as JSON-able data, defaults filled in."""
        return self.model_dump(mode="json")

    # ---- dates and counters ----------------------------------------------------------------

    def zone(self, fields: FieldValues) -> ZoneInfo:
        """The time zone of the request's site (site_timezones), else the scheme's."""
        site = fields.get("site")
        return ZoneInfo(self.site_timezones.get(str(site), self.timezone)
                        if site is not None else self.timezone)

    def production_date(self, fields: FieldValues, date: DateInput = None) -> dt.date:
        """The request's date, or today in the site's time zone; aware datetimes converted."""
        if isinstance(date, str):
            try:
                date = (dt.date.fromisoformat(date) if len(date) == 10
                        else dt.datetime.fromisoformat(date))
            except ValueError as exc:
                raise NumberingError(f"date {date!r} is not an ISO 8601 date or date-time",
                                     field="date") from exc
        if date is None:
            return dt.datetime.now(self.zone(fields)).date()
        if isinstance(date, dt.datetime):
            return (date.astimezone(self.zone(fields)) if date.tzinfo else date).date()
        return date

    def counter_key(self, fields: FieldValues, date: DateInput = None) -> str:
        """Which counter a value draws from: the printed key parts joined by '-'."""
        pieces = self._render(fields, self.production_date(fields, date), None, keys_only=True)
        return _join_key([pieces[i] for i in self._key_idx])

    # ---- format and parse ------------------------------------------------------------------

    def format(self, fields: FieldValues, date: DateInput = None, seq: int | None = None) -> str:
        """Build one identifier; SequenceExhausted when `seq` does not fit its width."""
        return "".join(self._render(fields, self.production_date(fields, date), seq))

    def _render(self, fields: FieldValues, day: dt.date, seq: int | None,
                keys_only: bool = False) -> list[str]:
        pieces: list[str] = []
        check_at = -1
        for i, tok in enumerate(self._tokens):
            if isinstance(tok, Literal):
                pieces.append(tok.text)
            elif isinstance(tok, Field):
                pieces.append(self._field(tok, fields))
            elif isinstance(tok, Date):
                pieces.append(tok.token.render(day))
            elif keys_only:
                pieces.append("")
            elif isinstance(tok, Counter):
                pieces.append(self._counter(tok, seq))
            else:
                check_at = i
                pieces.append("")
        if check_at >= 0:
            alg = self._tokens[check_at].algorithm  # type: ignore[union-attr]
            pieces[check_at] = alg.compute(_payload(pieces, alg.alphabet))
        return pieces

    def _field(self, tok: Field, fields: FieldValues) -> str:
        loc = f"fields.{tok.name}"
        if tok.name not in fields or fields[tok.name] is None:
            raise NumberingError(f"{tok.name} is required: the pattern prints {tok.source}", loc)
        raw = fields[tok.name]
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise NumberingError(f"{tok.name} must be text", loc)
        value = str(raw)
        table = self.codes.get(tok.name)
        if table:
            code = table.get(value)
            if code is None:
                known = ", ".join(sorted(table))
                raise NumberingError(f"unknown {tok.name} {value!r}; known values: {known}", loc)
            return code
        if tok.width is not None and len(value) != tok.width:
            raise NumberingError(f"{tok.name} must be exactly {tok.width} characters "
                                 f"({tok.source}), not {len(value)}", loc)
        if not value or len(value) > MAX_WIDTH:
            raise NumberingError(f"{tok.name} must be 1 to {MAX_WIDTH} characters", loc)
        bad = sorted(set(value) - self._charset)
        if bad:
            raise NumberingError(f"{tok.name} {value!r} holds {''.join(bad)!r}, outside the "
                                 f"scheme's characters {self.charset}", loc)
        return value

    def _counter(self, tok: Counter, seq: int | None) -> str:
        if tok.random:
            return random_text(tok.width, tok.digits)
        if seq is None:
            raise NumberingError(f"the pattern prints {tok.source}; a counter value is needed",
                                 "seq")
        if seq < 0:
            raise NumberingError(f"counter value {seq} is negative", "seq")
        if seq >= tok.space:
            raise SequenceExhausted(f"sequence exhausted for {self.name}: {seq:,} does not fit "
                                    f"{tok.source} (last value {tok.space - 1:,})", "seq")
        return encode(seq, tok.width, tok.digits)

    def parse(self, value: str) -> Parsed:
        """Read an identifier back; ParseError when it does not fit this scheme."""
        m = self._regex.fullmatch(value) if isinstance(value, str) else None
        if m is None:
            raise ParseError(f"{value!r} does not fit {self.name} ({self.pattern})", "value")
        pieces = list(m.groups())
        fields: dict[str, str] = {}
        date: dict[str, str] = {}
        seq: int | None = None
        check_ok: bool | None = None
        for tok, text in zip(self._tokens, pieces, strict=True):
            if isinstance(tok, Field):
                table = self._reverse.get(tok.name)
                fields[tok.name] = table[text] if table else text
            elif isinstance(tok, Date):
                if text not in tok.token.values:
                    raise ParseError(f"{tok.source} {text!r} is out of range in {value!r}",
                                     "value")
                date[tok.name] = text
            elif isinstance(tok, Counter) and not tok.random:
                seq = decode(text, tok.digits)
        problem = check_date_parts(date)
        if problem:
            raise ParseError(f"{value!r}: {problem}", "value")
        for i, tok in enumerate(self._tokens):
            if isinstance(tok, Check):
                rest = pieces[:i] + [""] + pieces[i + 1:]
                alg = tok.algorithm
                check_ok = alg.compute(_payload(rest, alg.alphabet)) == pieces[i]
        return Parsed(value, fields, date, seq, check_ok,
                      _join_key([pieces[i] for i in self._key_idx]))

    # ---- overlap -------------------------------------------------------------------------

    def overlap_example(self, other: Scheme) -> str | None:
        """A value both schemes could print (check characters and counter ranges ignored)."""
        from numbering.overlap import common_value

        return common_value(self._shapes, other._shapes)

    def overlaps(self, other: Scheme) -> bool:
        """True when some value fits both schemes' patterns."""
        return self.overlap_example(other) is not None


def _seq(tokens: list[Token]) -> Counter | None:
    return next((t for t in tokens if isinstance(t, Counter) and not t.random), None)


def _join_key(parts: list[str]) -> str:
    """Join counter-key parts with '-', escaping with '/' when a part holds a '-'."""
    if any("-" in p for p in parts):
        return "/".join(p.replace("\\", "\\\\").replace("/", "\\/") for p in parts)
    return "-".join(parts) or "*"


def _payload(pieces: list[str], alphabet: str) -> str:
    text = "".join(pieces)
    allowed = set(alphabet)
    return text if set(text) <= allowed else "".join(c for c in text if c in allowed)


def _regex(shape: Shape) -> str:
    if shape.values is not None:
        return "|".join(re.escape(v) for v in sorted(shape.values, key=lambda v: (-len(v), v)))
    cls = "[" + "".join(re.escape(c) for c in sorted(shape.chars)) + "]"
    if shape.max_len is None:
        return f"{cls}{{{shape.min_len},}}"
    if shape.fixed:
        return f"{cls}{{{shape.min_len}}}"
    return f"{cls}{{{shape.min_len},{shape.max_len}}}"
