"""Overlap between schemes is decided on shape, exactly."""

from __future__ import annotations

import itertools

from numbering import Scheme, load_examples


def s(pattern: str, **kw: object) -> Scheme:
    return Scheme.model_validate({"name": "t", "pattern": pattern, **kw})


def test_shipped_examples_do_not_overlap() -> None:
    schemes = [Scheme.model_validate(d) for d in load_examples()]
    for a, b in itertools.combinations(schemes, 2):
        assert not a.overlaps(b), (a.name, b.name, a.overlap_example(b))


def test_same_shape_overlaps_and_example_fits_both() -> None:
    a = s("SN{seq:6}")
    b = s("SN{YY}{seq:4}")
    example = a.overlap_example(b)
    assert example is not None
    a.parse(example)
    b.parse(example)


def test_literal_prefix_separates() -> None:
    assert not s("A{seq:6}").overlaps(s("B{seq:6}"))


def test_widths_separate() -> None:
    assert not s("{seq:6}").overlaps(s("{seq:7}"))


def test_date_ranges_are_exact() -> None:
    # MM is 01-12; a code of "13" can never meet it, but "12" can.
    month = s("{MM}{seq:3}")
    assert not month.overlaps(s("{m}{seq:3}", codes={"m": {"x": "13"}}))
    assert month.overlaps(s("{m}{seq:3}", codes={"m": {"x": "12"}}))
    assert not s("{WW}{seq:2}").overlaps(s("54{seq:2}"))


def test_check_characters_and_counter_ranges_are_ignored() -> None:
    a = s("{seq:5}{check:luhn}")
    b = s("{seq:6}", start=500000)
    assert a.overlaps(b)


def test_code_tables_and_charsets() -> None:
    a = s("{model}-{seq:3}", codes={"model": {"w": "ABC"}})
    assert a.overlaps(s("{x}-{seq:3}", charset="A-C"))
    assert not a.overlaps(s("{x}-{seq:3}", charset="0-9"))
    assert not a.overlaps(s("{x}-{seq:3}", charset="A-Z", codes={"x": {"q": "ABD"}}))


def test_variable_width_fields_are_unbounded() -> None:
    long = "Z" * 40
    a = s("{part}/{seq:2}", charset="A-Z")
    b = s(long + "/{seq:2}")
    assert a.overlap_example(b) == long + "/00"


def test_crockford_and_decimal_random_share_digits() -> None:
    assert s("{rand:4:crockford}").overlaps(s("{seq:4}"))
    assert not s("{rand:4:crockford}").overlaps(s("I{seq:3}"))
