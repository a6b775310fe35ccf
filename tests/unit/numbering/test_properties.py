"""Property tests over random valid schemes: parse(format(x)) == x, and overlap is sound."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from numbering import ALGORITHMS, ParseError, Scheme
from numbering.pattern import Counter, Date, Field
from numbering.radix import ALPHABETS

DIGITS = "0123456789"
ALNUM = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LITERALS = ["-", "/", "A", "X1", " ", "{", "#"]
SAFE_DATES = [["GG", "WW"], ["YY", "DDD"], ["YYYY", "MM", "DD"], ["GGGG", "WW"], ["Y"], ["MM"],
              ["YC"], ["DD"]]


@st.composite
def schemes(draw: st.DrawFn) -> dict[str, Any]:
    """A random scheme that the rules accept, built so every token fits its check alphabet."""
    check = draw(st.sampled_from([None, *sorted(a for a in ALGORITHMS if a != "vin")]))
    alphabet = ALGORITHMS[check].alphabet if check else ALNUM
    radices = [r for r, digits in ALPHABETS.items() if set(digits) <= set(alphabet)]
    charset = "0-9" if alphabet == DIGITS else draw(st.sampled_from(["0-9", "A-Z0-9", "A-F"]))
    parts: list[str] = []
    codes: dict[str, dict[str, str]] = {}
    has_seq = False
    n_fields = 0
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["literal", "coded", "fixed", "variable", "date", "seq",
                                     "rand"]))
        if kind == "literal":
            lit = draw(st.sampled_from(LITERALS))
            parts.append(lit.replace("{", "{{"))
        elif kind == "coded":
            name = f"f{n_fields}"
            n_fields += 1
            values = draw(st.lists(st.text(alphabet=alphabet, min_size=1, max_size=4),
                                   min_size=1, max_size=5, unique=True))
            codes[name] = {f"value-{i}": v for i, v in enumerate(values)}
            lengths = {len(v) for v in values}
            parts.append(f"{{{name}}}" + ("" if len(lengths) == 1 else "-"))
        elif kind == "fixed":
            parts.append(f"{{f{n_fields}:{draw(st.integers(1, 4))}}}")
            n_fields += 1
        elif kind == "variable":
            parts.append(f"{{f{n_fields}}}-")
            n_fields += 1
        elif kind == "date":
            tokens = draw(st.sampled_from(SAFE_DATES))
            if "YC" in tokens and alphabet == DIGITS:
                continue
            if any(f"{{{t}}}" in "".join(parts) for t in tokens) or (
                "WW" in tokens and any(y in "".join(parts) for y in ("{Y", "{YC"))) or (
                any(t in ("YYYY", "YY", "Y", "YC") for t in tokens) and "{WW}" in "".join(parts)):
                continue
            parts.extend(f"{{{t}}}" for t in tokens)
        elif kind == "seq" and not has_seq:
            has_seq = True
            parts.append(f"{{seq:{draw(st.integers(1, 6))}:{draw(st.sampled_from(radices))}}}")
        elif kind == "rand":
            parts.append(f"{{rand:{draw(st.integers(1, 4))}:{draw(st.sampled_from(radices))}}}")
    assume(parts)
    if check:
        parts.append(f"{{check:{check}}}")
    return {"name": "prop", "pattern": "".join(parts), "codes": codes, "charset": charset,
            "start": draw(st.integers(0, 1))}


@st.composite
def inputs(draw: st.DrawFn, scheme: Scheme) -> tuple[dict[str, str], dt.date, int | None]:
    """Random request fields, production date and counter value for a scheme."""
    charset = sorted(set("".join(chr(c) for c in range(48, 91)))
                     & set(scheme._c.charset))
    fields: dict[str, str] = {}
    for tok in scheme.tokens:
        if isinstance(tok, Field) and tok.name not in fields:
            if tok.name in scheme.codes:
                fields[tok.name] = draw(st.sampled_from(sorted(scheme.codes[tok.name])))
            else:
                size = tok.width or draw(st.integers(1, 8))
                fields[tok.name] = draw(st.text(alphabet=charset, min_size=size, max_size=size))
    day = draw(st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)))
    seq_tok = next((t for t in scheme.tokens if isinstance(t, Counter) and not t.random), None)
    seq = draw(st.integers(scheme.start, seq_tok.space - 1)) if seq_tok else None
    return fields, day, seq


Sample = tuple[Scheme, dict[str, str], dt.date, "int | None", str]


def sample(data: st.DataObject) -> Sample:
    """Draw a scheme and one identifier formatted under it."""
    scheme = Scheme.model_validate(data.draw(schemes()))
    fields, day, seq = data.draw(inputs(scheme))
    return scheme, fields, day, seq, scheme.format(fields, day, seq)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parse_of_format_gives_the_inputs_back(data: st.DataObject) -> None:
    scheme, fields, day, seq, value = sample(data)
    parsed = scheme.parse(value)
    assert parsed.fields == fields
    assert parsed.seq == seq
    assert parsed.date == {t.name: t.token.render(day) for t in scheme.tokens
                           if isinstance(t, Date)}
    assert parsed.check_ok in (None, True)
    assert parsed.counter_key == scheme.counter_key(fields, day)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_batch_formats_as_its_values_one_by_one(data: st.DataObject) -> None:
    scheme, fields, day, seq, value = sample(data)
    assume(not scheme.has_rand)
    seqs = [seq] if seq is None else list(range(seq, min(seq + 5, scheme.start + scheme.capacity)))
    assert scheme.format_many(fields, day, seqs) == [scheme.format(fields, day, s) for s in seqs]
    assert scheme.format_many(fields, day, seqs)[0] == value


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_substituted_character_never_passes_as_the_same_identifier(data: st.DataObject) -> None:
    scheme, fields, day, seq, value = sample(data)
    pos = data.draw(st.integers(0, len(value) - 1))
    replacement = data.draw(st.sampled_from(ALNUM))
    assume(replacement != value[pos])
    changed = value[:pos] + replacement + value[pos + 1:]
    try:
        parsed = scheme.parse(changed)
    except ParseError:
        return
    same = (parsed.fields == fields and parsed.seq == seq and parsed.check_ok is not False
            and parsed.date == scheme.parse(value).date)
    has_random = any(isinstance(t, Counter) and t.random for t in scheme.tokens)
    assert not same or has_random


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_overlap_is_sound(data: st.DataObject) -> None:
    a = Scheme.model_validate(data.draw(schemes()))
    b = Scheme.model_validate(data.draw(schemes()))
    example = a.overlap_example(b)
    if example is not None:
        assert a.matches(example) and b.matches(example)
        return
    for _ in range(5):
        fields, day, seq = data.draw(inputs(a))
        value = a.format(fields, day, seq)
        assert not b.matches(value), (a.pattern, b.pattern, value)
