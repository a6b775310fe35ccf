"""A validated pattern compiled for speed: formatting, parsing and counter keys."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from numbering.dates import GRANULARITY_WORDS, check_date_parts, render_all
from numbering.errors import NumberingError, ParseError, SequenceExhausted
from numbering.pattern import MAX_WIDTH, Check, Counter, Date, Field, Literal, Shape, Token
from numbering.radix import decode, encode, random_text

FieldValues = Mapping[str, Any]
Renderer = Callable[[FieldValues, dt.date, "int | None"], str]


@dataclass(frozen=True)
class Parsed:
    """An identifier read back: request fields, date parts, counter and check result."""

    value: str
    fields: dict[str, str]
    date: dict[str, str]
    seq: int | None
    check_ok: bool | None
    counter_key: str


class CompiledPattern:
    """One small function per token, so formatting a batch makes no decisions per value."""

    def __init__(self, name: str, pattern: str, tokens: list[Token], shapes: list[Shape],
                 codes: Mapping[str, Mapping[str, str]], charset: frozenset[str], charset_spec: str,
                 scope: list[str] | None, start: int) -> None:
        self.name, self.pattern = name, pattern
        self.tokens, self.shapes = tokens, shapes
        self.codes, self.charset, self.charset_spec = codes, charset, charset_spec
        self.start = start
        self.reverse = {n: {c: v for v, c in t.items()} for n, t in codes.items()}
        self.regex = re.compile("".join(
            f"([0-9]{{{t.token.width}}})" if isinstance(t, Date) and t.name != "YC"
            else f"({_regex(s)})" for t, s in zip(tokens, shapes, strict=True)))
        keyed = set(scope) if scope is not None else None
        self.key_idx = [i for i, t in enumerate(tokens)
                        if isinstance(t, Field | Date) and (keyed is None or t.name in keyed)]
        self.check_at = next((i for i, t in enumerate(tokens) if isinstance(t, Check)), -1)
        self.seq = next((t for t in tokens if isinstance(t, Counter) and not t.random), None)
        self.plan = [self._renderer(t) for t in tokens]
        self.key_plan = [self.plan[i] for i in self.key_idx]
        last = tokens[-1] if tokens else None
        self.check_last = last.algorithm if isinstance(last, Check) else None

    # ---- capacity ------------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        """Values per counter: R^W - start for {seq}; the random space for {rand} alone; else 1."""
        if self.seq is not None:
            return self.seq.space - self.start
        space = 1
        for t in self.tokens:
            if isinstance(t, Counter):
                space *= t.space
        return space

    def capacity_report(self) -> str:
        """Capacity per counter in plant words: '99,999 per model, site and ISO week'."""
        names: list[str] = []
        grain = 0
        for i in self.key_idx:
            tok = self.tokens[i]
            if isinstance(tok, Field) and tok.name not in names:
                names.append(tok.name)
            elif isinstance(tok, Date):
                grain = max(grain, tok.token.granularity)
        if grain:
            names.append(GRANULARITY_WORDS[grain])
        per = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else "".join(names)
        return f"{self.capacity:,} per {per}" if per else f"{self.capacity:,} in total"

    # ---- format --------------------------------------------------------------------------

    def format(self, fields: FieldValues, day: dt.date, seq: int | None) -> str:
        """Build one identifier for a production date and counter value."""
        alg = self.check_last
        if alg is not None:
            text = "".join([r(fields, day, seq) for r in self.plan])
            return text + alg.compute(_payload(text, alg.alphabet))
        return self._checked([r(fields, day, seq) for r in self.plan])

    def widest(self, width: Callable[[str], float],
               field_widths: Mapping[str, int] | None = None) -> str:
        """Build the widest identifier the pattern prints, by `width` of the printed text.

        Each code-table field takes its widest code, each free field its width
        (`field_widths` for those the pattern leaves open, else the most it accepts) of its
        widest character, the date tokens the widest production date they can print, the
        counter its last value and a random token its widest character; the check is computed.
        Ties go to the later character (a letter before a digit, which packs denser in bars).
        """
        widths = field_widths or {}
        fields: dict[str, str] = {}
        for tok in self.tokens:
            if isinstance(tok, Field) and tok.name not in fields:
                table = self.codes.get(tok.name)
                if table:
                    keys = sorted(table, reverse=True)
                    fields[tok.name] = max(keys, key=lambda k: _rank(table[k], width))
                else:
                    char = max(sorted(self.charset, reverse=True), key=width)
                    fields[tok.name] = char * (tok.width or widths.get(tok.name, MAX_WIDTH))
        day = _widest_day([t for t in self.tokens if isinstance(t, Date)], width)
        pieces = []
        for tok, render in zip(self.tokens, self.plan, strict=True):
            if isinstance(tok, Counter):
                widest = max(tok.digits[::-1], key=width)
                pieces.append(widest * tok.width if tok.random
                              else encode(tok.space - 1, tok.width, tok.digits))
            else:
                pieces.append(render(fields, day, None))
        return self._checked(pieces)

    def _checked(self, pieces: list[str]) -> str:
        """Join the printed tokens, the check character computed where the pattern puts it."""
        alg = self.check_last
        if alg is not None:
            text = "".join(pieces)
            return text + alg.compute(_payload(text, alg.alphabet))
        if self.check_at >= 0:
            alg = self.tokens[self.check_at].algorithm  # type: ignore[union-attr]
            pieces[self.check_at] = alg.compute(_payload("".join(pieces), alg.alphabet))
        return "".join(pieces)

    def format_many(self, fields: FieldValues, day: dt.date, seqs: Iterable[int | None]
                    ) -> list[str]:
        """Build identifiers that differ only in their counter (and random) tokens."""
        varying = [i for i, t in enumerate(self.tokens) if isinstance(t, Counter)]
        fixed = [r(fields, day, None) if i not in varying else "" for i, r in enumerate(self.plan)]
        alg = self.check_last
        if len(varying) != 1 or (alg is None and self.check_at >= 0):
            return [self.format(fields, day, seq) for seq in seqs]  # e.g. a VIN check mid-way
        at = varying[0]
        head, tail = "".join(fixed[:at]), "".join(fixed[at + 1:])
        render = self.plan[at]
        if alg is None:
            return [head + render(fields, day, seq) + tail for seq in seqs]
        compute, alphabet = alg.compute, alg.alphabet
        out = []
        for seq in seqs:
            text = head + render(fields, day, seq) + tail
            out.append(text + compute(_payload(text, alphabet)))
        return out

    def counter_key(self, fields: FieldValues, day: dt.date) -> str:
        """The printed key parts (fields and date tokens, or the scope) joined by '-'."""
        return _join_key([r(fields, day, None) for r in self.key_plan])

    def _renderer(self, tok: Token) -> Renderer:
        if isinstance(tok, Literal):
            text = tok.text
            return lambda f, d, s: text
        if isinstance(tok, Date):
            name = tok.name
            return lambda f, d, s: render_all(d)[name]
        if isinstance(tok, Field):
            return self._field_renderer(tok)
        if isinstance(tok, Counter):
            return self._counter_renderer(tok)
        return lambda f, d, s: ""

    def _field_renderer(self, tok: Field) -> Renderer:
        table = self.codes.get(tok.name)
        if not table:
            return lambda f, d, s: self.field_value(tok, f)

        def code(f: FieldValues, d: dt.date, s: int | None) -> str:
            try:
                return table[f[tok.name]]
            except (KeyError, TypeError):
                return self.field_value(tok, f)

        return code

    def _counter_renderer(self, tok: Counter) -> Renderer:
        if tok.random:
            return lambda f, d, s: random_text(tok.width, tok.digits)
        spec, space = f"0{tok.width}d", tok.space

        def counter(f: FieldValues, d: dt.date, s: int | None) -> str:
            if s is not None and 0 <= s < space:
                return format(s, spec) if tok.radix == "10" else encode(s, tok.width, tok.digits)
            if s is None:
                raise NumberingError(f"the pattern prints {tok.source}; a counter value is "
                                     "needed", "seq")
            if s < 0:
                raise NumberingError(f"counter value {s} is negative", "seq")
            raise SequenceExhausted(f"sequence exhausted for {self.name}: {s:,} does not fit "
                                    f"{tok.source} (last value {space - 1:,})", "seq")

        return counter

    def field_value(self, tok: Field, fields: FieldValues) -> str:
        """The printed value of a request field, or a NumberingError naming the field."""
        loc = f"fields.{tok.name}"
        raw = fields.get(tok.name)
        if raw is None:
            raise NumberingError(f"{tok.name} is required: the pattern prints {tok.source}", loc)
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise NumberingError(f"{tok.name} must be text", loc)
        value = str(raw)
        table = self.codes.get(tok.name)
        if table:
            if value not in table:
                known = ", ".join(sorted(table))
                raise NumberingError(f"unknown {tok.name} {value!r}; known values: {known}", loc)
            return table[value]
        if tok.width is not None and len(value) != tok.width:
            raise NumberingError(f"{tok.name} must be exactly {tok.width} characters "
                                 f"({tok.source}), not {len(value)}", loc)
        if not value or len(value) > MAX_WIDTH:
            raise NumberingError(f"{tok.name} must be 1 to {MAX_WIDTH} characters", loc)
        bad = sorted(set(value) - self.charset)
        if bad:
            raise NumberingError(f"{tok.name} {value!r} holds {''.join(bad)!r}, outside the "
                                 f"scheme's characters {self.charset_spec}", loc)
        return value

    # ---- parse ---------------------------------------------------------------------------

    def parse(self, value: str) -> Parsed:
        """Read an identifier back; ParseError when it does not fit."""
        m = self.regex.fullmatch(value) if isinstance(value, str) else None
        if m is None:
            raise ParseError(f"{value!r} does not fit {self.name} ({self.pattern})", "value")
        pieces = list(m.groups())
        fields: dict[str, str] = {}
        date: dict[str, str] = {}
        seq: int | None = None
        for tok, text in zip(self.tokens, pieces, strict=True):
            if isinstance(tok, Field):
                table = self.reverse.get(tok.name)
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
        check_ok: bool | None = None
        if self.check_at >= 0:
            alg = self.tokens[self.check_at].algorithm  # type: ignore[union-attr]
            rest = "".join(pieces[:self.check_at] + pieces[self.check_at + 1:])
            check_ok = alg.compute(_payload(rest, alg.alphabet)) == pieces[self.check_at]
        return Parsed(value, fields, date, seq, check_ok,
                      _join_key([pieces[i] for i in self.key_idx]))


def _rank(text: str, width: Callable[[str], float]) -> tuple[int, float]:
    """Order printed texts by length, then by printed width."""
    return len(text), width(text)


def _widest_day(tokens: list[Date], width: Callable[[str], float]) -> dt.date:
    """The production date whose date tokens print widest (the first, on a tie).

    Every day of one 30-year cycle of the VIN year code is tried, leap days and ISO week 53
    included; without date tokens any day will do.
    """
    first = dt.date(2010, 1, 1)
    if not tokens:
        return first
    days = (first + dt.timedelta(days=n) for n in range(366 * 30))
    return max(days, key=lambda d: _rank("".join(t.token.render(d) for t in tokens), width))


def _join_key(parts: list[str]) -> str:
    """Join counter-key parts with '-', escaping with '/' when a part holds a '-'."""
    if any("-" in p for p in parts):
        return "/".join(p.replace("\\", "\\\\").replace("/", "\\/") for p in parts)
    return "-".join(parts) or "*"


def _payload(text: str, alphabet: str) -> str:
    """The characters a check algorithm computes over: separators outside it are skipped."""
    if text.isdigit() or set(text) <= set(alphabet):
        return text
    return "".join(c for c in text if c in alphabet)


def _regex(shape: Shape) -> str:
    if shape.values is not None:
        return "|".join(re.escape(v) for v in sorted(shape.values, key=lambda v: (-len(v), v)))
    cls = "[" + "".join(re.escape(c) for c in sorted(shape.chars)) + "]"
    if shape.max_len is None:
        return f"{cls}{{{shape.min_len},}}"
    if shape.fixed:
        return f"{cls}{{{shape.min_len}}}"
    return f"{cls}{{{shape.min_len},{shape.max_len}}}"
