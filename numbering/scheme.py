"""The Scheme model: a named numbering format, linted when it is defined.

A definition is refused unless every identifier it can produce parses back to its fields,
date parts and counter, and unless its check algorithm's alphabet holds whatever the fields,
codes and counter can produce.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from typing import Literal as TypingLiteral
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic import Field as PydField
from pydantic_core import InitErrorDetails, PydanticCustomError

from numbering import lint
from numbering.compiled import CompiledPattern, FieldValues, Parsed
from numbering.errors import NumberingError
from numbering.pattern import Counter, Field, PatternError, Shape, Token, parse_charset, tokenize

DateInput = dt.date | dt.datetime | str | None

__all__ = ["DateInput", "Parsed", "Scheme"]


class Scheme(BaseModel):
    """A numbering scheme; lint errors raise pydantic.ValidationError located on the definition."""

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

    _c: CompiledPattern = PrivateAttr()

    @model_validator(mode="after")
    def _lint(self, info: ValidationInfo) -> Scheme:
        problems: list[lint.Problem] = []
        shapes: list[Shape] = []
        tokens: list[Token] = []
        try:
            charset = parse_charset(self.charset)
        except ValueError as exc:
            problems.append((("charset",), f"charset {self.charset!r}: {exc}"))
            charset = frozenset()
        try:
            tokens = tokenize(self.pattern)
        except PatternError as exc:
            problems.append((("pattern",), str(exc)))
        problems += lint.check_timezones(self.timezone, self.site_timezones)
        if tokens and charset:
            problems += lint.check_codes(tokens, self.codes, charset)
            if not (info.context or {}).get("stored"):  # a rule newer than some stored ones
                problems += lint.check_barcode_characters(tokens, self.codes, charset)
            shapes = lint.shapes(tokens, self.codes, charset)
            problems += lint.check_tokens(tokens, shapes, self.scope)
            problems += lint.check_alphabet(tokens, shapes)
            seq = next((t for t in tokens if isinstance(t, Counter) and not t.random), None)
            if seq is not None and self.start >= seq.space:
                problems.append((("start",), f"start {self.start} does not fit {seq.source}, "
                                             f"which ends at {seq.space - 1:,}"))
        if problems:
            raise ValidationError.from_exception_data("Scheme", [
                InitErrorDetails(type=PydanticCustomError("scheme_rule", msg), loc=loc,
                                 input=self.pattern) for loc, msg in problems])
        self._c = CompiledPattern(self.name, self.pattern, tokens, shapes, self.codes, charset,
                                  self.charset, self.scope, self.start)
        return self

    # ---- introspection -------------------------------------------------------------------

    @property
    def tokens(self) -> list[Token]:
        """The pattern split into literals and tokens."""
        return list(self._c.tokens)

    @property
    def shapes(self) -> list[Shape]:
        """What each token can print."""
        return list(self._c.shapes)

    @property
    def has_seq(self) -> bool:
        """True when the pattern holds a {seq} counter."""
        return self._c.seq is not None

    @property
    def has_rand(self) -> bool:
        """True when the pattern holds a {rand} token."""
        return any(isinstance(t, Counter) and t.random for t in self._c.tokens)

    @property
    def field_names(self) -> list[str]:
        """Request fields the pattern prints, in order."""
        return list(dict.fromkeys(t.name for t in self._c.tokens if isinstance(t, Field)))

    @property
    def capacity(self) -> int:
        """Values per counter: R^W - start for {seq}; the random space for {rand} alone; else 1."""
        return self._c.capacity

    @property
    def capacity_report(self) -> str:
        """Capacity per counter in plant words: '99,999 per model, site and ISO week'."""
        return self._c.capacity_report()

    def definition(self) -> dict[str, Any]:
        """The definition as JSON-able data, defaults filled in."""
        return self.model_dump(mode="json")

    def matches(self, value: str) -> bool:
        """True when the value has this scheme's shape (dates and check not verified)."""
        return self._c.regex.fullmatch(value) is not None

    # ---- dates, counters, format, parse ----------------------------------------------------

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
        return self._c.counter_key(fields, self.production_date(fields, date))

    def format(self, fields: FieldValues, date: DateInput = None, seq: int | None = None) -> str:
        """Build one identifier; SequenceExhausted when `seq` does not fit its width."""
        day = date if type(date) is dt.date else self.production_date(fields, date)
        compiled: CompiledPattern = self.__pydantic_private__["_c"]  # type: ignore[index]
        return compiled.format(fields, day, seq)

    def format_many(self, fields: FieldValues, date: DateInput = None,
                    seqs: Iterable[int | None] = ()) -> list[str]:
        """Build one identifier per counter value, sharing everything else (a batch)."""
        day = date if type(date) is dt.date else self.production_date(fields, date)
        return self._c.format_many(fields, day, seqs)

    def widest_value(self, width: Callable[[str], float] = len,
                     field_widths: Mapping[str, int] | None = None) -> str:
        """The widest identifier the scheme can print, e.g. to check that a label fits it.

        Every position is at its widest by `width` (a printed width, e.g. from font metrics):
        the widest code of each code table, free fields full width (`field_widths` names a
        width for fields the pattern leaves open; else 64), the widest date codes, the
        counter's last value; the check character is computed.
        """
        return self._c.widest(width, field_widths)

    def parse(self, value: str) -> Parsed:
        """Read an identifier back; ParseError when it does not fit this scheme."""
        return self._c.parse(value)

    def overlap_example(self, other: Scheme) -> str | None:
        """A value both schemes could print (check characters and counter ranges ignored)."""
        from numbering.overlap import common_value

        return common_value(self._c.shapes, other._c.shapes)

    def overlaps(self, other: Scheme) -> bool:
        """True when some value fits both schemes' patterns."""
        return self.overlap_example(other) is not None
