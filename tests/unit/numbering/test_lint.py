"""Definition-time rules, with messages that name the token and the rule."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from numbering import Scheme


def problems(**kw: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as err:
        Scheme.model_validate({"name": "t", **kw})
    return [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in err.value.errors()]


def one(**kw: object) -> str:
    found = problems(**kw)
    assert found, kw
    return " | ".join(msg for _, msg in found)


@pytest.mark.parametrize(
    ("definition", "words"),
    [
        ({"pattern": "{YYY}{seq:3}"}, "unknown token {YYY}"),
        ({"pattern": "{seq}"}, "{seq} needs a width"),
        ({"pattern": "{rand}"}, "{rand} needs a width"),
        ({"pattern": "{seq:3}{seq:4}"}, "at most one {seq}"),
        ({"pattern": "{seq:3}{check:luhn}{check:damm}"}, "at most one {check}"),
        ({"pattern": "{check:luhn}{seq:3}"}, "{check:luhn} must be the last token"),
        ({"pattern": "{seq:3}{check:crc}"}, "name a check algorithm"),
        ({"pattern": "{seq:3:7}"}, "radix must be one of"),
        ({"pattern": "{seq:0}"}, "width of seq must be a whole number"),
        ({"pattern": "{YYYY}{WW}{seq:3}"}, "{WW} with {YYYY} gives wrong codes at year ends"),
        ({"pattern": "{YY}{WW}{seq:3}"}, "use {GG} or {GGGG} with {WW}"),
        ({"pattern": "{YC}{WW}{seq:3}"}, "{WW} with {YC}"),
        ({"pattern": "{model}{site}{seq:3}"}, "{model} and {site} have no fixed width"),
        ({"pattern": "{model}{seq:3}{check:luhn}"}, "{check:luhn} computes over digits only"),
        ({"pattern": "{seq:3:16}{check:damm}"}, "{seq:3:16} can print"),
        ({"pattern": "{wmi:3}{vds:4}{check:vin}{YC}{plant:1}{seq:6}", "charset": "A-HJ-NPR-Z0-9"},
         "{check:vin} must be character 9 of a 17-character VIN"),
        ({"pattern": "{wmi:3}{vds:5}{check:vin}{YC}{plant:1}{seq:6}"},
         "{check:vin} must be character 9 of a 17-character VIN"),
        ({"pattern": "{seq:3} {{x"}, None),
        ({"pattern": "A{seq:3}}"}, "unmatched '}'"),
        ({"pattern": "{Model}"}, "unknown token {Model}"),
        ({"pattern": "{seq:2}", "start": 100}, "start 100 does not fit {seq:2}"),
        ({"pattern": "{seq:2}", "timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"pattern": "{seq:2}", "scope": ["model"]}, "scope names 'model'"),
        ({"pattern": "{m:2}{seq:2}", "codes": {"m": {"a": "1"}}}, "prints exactly 2 characters"),
        ({"pattern": "{m}{seq:2}", "codes": {"m": {"a": "1", "b": "1"}}}, "codes must be unique"),
        ({"pattern": "{seq:2}", "charset": "Z-A"}, "runs backwards"),
        ({"pattern": "{YYYY:2}"}, "a date token takes no width"),
    ],
)
def test_rules(definition: dict[str, object], words: str | None) -> None:
    if words is None:
        Scheme.model_validate({"name": "t", **definition})
        return
    assert words in one(**definition)


def test_problems_are_located() -> None:
    found = dict(problems(pattern="{m}{seq:2}", codes={"m": {"a": "1", "b": "1"}},
                          timezone="Nowhere/Land"))
    assert "codes.m.b" in found
    assert "timezone" in found


def test_name_and_kind_are_checked() -> None:
    assert problems(pattern="{seq:2}", name="Bad Name")
    with pytest.raises(ValidationError):
        Scheme.model_validate({"name": "x", "kind": "pallet", "pattern": "{seq:2}"})


def test_separator_that_a_field_can_print_does_not_count() -> None:
    assert "no fixed width" in one(pattern="{a}-{b}-{seq:2}", charset="A-Z-")
    Scheme.model_validate({"name": "t", "pattern": "{a}-{b}-{seq:2}", "charset": "A-Z"})


def test_vin_with_fixed_widths_passes() -> None:
    s = Scheme.model_validate({"name": "v", "pattern": "{wmi:3}{vds:5}{check:vin}{YC}P{seq:6}",
                               "charset": "A-HJ-NPR-Z0-9"})
    assert s.capacity == 999_999


@pytest.mark.parametrize(("definition", "where", "words"), [
    ({"pattern": "É🔥{seq:6}"}, "pattern", "'É' (U+00C9)"),
    ({"pattern": "A\t{seq:3}"}, "pattern", "'\\t' (U+0009)"),
    ({"pattern": "A{model}{seq:3}", "codes": {"model": {"big": "Ü"}}}, "codes.model.big",
     "'Ü' (U+00DC)"),
    ({"pattern": "{line:2}{seq:3}", "charset": "0-9µ"}, "charset", "'µ' (U+00B5)"),
])
def test_characters_no_label_barcode_carries_are_refused_at_definition(
        definition: dict[str, object], where: str, words: str) -> None:
    found = dict(problems(kind="serial", **definition))
    assert where in found, found
    assert words in found[where] and "Code 128" in found[where]


def test_printable_ascii_with_spaces_and_punctuation_is_accepted() -> None:
    scheme = Scheme.model_validate({"name": "t", "kind": "serial", "pattern": "SN #{seq:4}-~",
                                    "charset": "A-Z"})
    assert scheme.format(fields={}, seq=7) == "SN #0007-~"


def test_a_stored_version_from_before_the_rule_still_compiles() -> None:
    stored = {"name": "old", "kind": "serial", "pattern": "É{seq:3}"}
    scheme = Scheme.model_validate(stored, context={"stored": True})
    assert scheme.format(fields={}, seq=1) == "É001"
