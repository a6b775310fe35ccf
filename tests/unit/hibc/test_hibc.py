"""HIBC primary and secondary structures: the issue's example, vectors written from the HIBC
Supplier Labeling Standard's structures, refusals, and random fields built and read back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hibc
from hibc import Hibc, HibcError

# The check character is mod 43 over every character before it, from the leading '+'.
VECTORS = [
    # the issue's example: primary and secondary in one symbol, YYJJJ expiry, supplements
    ("+A99912345/$$52001510X3/16D20111212/S77DE1G45-",
     Hibc(labeler="A999", product="1234", uom="5", lot="10X3", serial="77DE1G45",
          expiry=dt.date(2020, 1, 15), manufactured=dt.date(2011, 12, 12)), "primary+secondary"),
    # primary alone: +LIC PCN U C
    ("+A999123457", Hibc(labeler="A999", product="1234", uom="5"), "primary"),
    ("+H123ABC01234567890D",
     Hibc(labeler="H123", product="ABC0123456789", uom="0"), "primary"),
    # secondary alone: +$lot L C, +$$MMYY lot, +$$3YYMMDD lot, +$$+serial forms
    ("+$LOT1237 ", Hibc(lot="LOT123", link="7"), "secondary"),
    ("+$$0927LOT77A", Hibc(lot="LOT7", expiry=dt.date(2027, 9, 30), link="7"), "secondary"),
    ("+$$3270115L1D1", Hibc(lot="L1", expiry=dt.date(2027, 1, 15), link="D"), "secondary"),
    ("+$$2011527L1D0", Hibc(lot="L1", expiry=dt.date(2027, 1, 15), link="D"), "secondary"),
    ("+$$42701151310X37F",
     Hibc(lot="10X3", expiry=dt.date(2027, 1, 15), link="7"), "secondary"),
    ("+$$6270151210X37F", Hibc(lot="10X3", expiry=dt.date(2027, 1, 15), link="7"), "secondary"),
    ("+$$710X37+", Hibc(lot="10X3", link="7"), "secondary"),
    ("+$+SER1237V", Hibc(serial="SER123", link="7"), "secondary"),
    ("+$$+3270115SER12373", Hibc(serial="SER123", expiry=dt.date(2027, 1, 15), link="7"),
     "secondary"),
    # quantity: $$8QQ and $$9QQQQQ before the expiry format
    ("+A99912341/$$8053270115L13",
     Hibc(labeler="A999", product="1234", uom="1", lot="L1", quantity=5,
          expiry=dt.date(2027, 1, 15)), "primary+secondary"),
    ("+A99912341/$$9012347L1/16D20260101Q",
     Hibc(labeler="A999", product="1234", uom="1", lot="L1", quantity=1234,
          manufactured=dt.date(2026, 1, 1)), "primary+secondary"),
]


def _checked(text: str) -> str:
    """The vector text with its check character recomputed (the tables above state it)."""
    return text[:-1] + hibc.check_character(text[:-1])


@pytest.mark.parametrize(("text", "fields", "structure"),
                         [v for v in VECTORS if v[2] != "refused"])
def test_vectors_read(text: str, fields: Hibc, structure: str) -> None:
    read = hibc.read(text)
    assert read.check_ok is True, (text, _checked(text))
    assert read.structure == structure
    for name in ("labeler", "product", "uom", "lot", "serial", "expiry", "manufactured",
                 "quantity", "link"):
        assert getattr(read, name) == getattr(fields, name), name


def test_issue_example_names_every_field() -> None:
    read = hibc.read("+A99912345/$$52001510X3/16D20111212/S77DE1G45-")
    assert (read.labeler, read.product, read.uom, read.lot, read.serial, read.check) == (
        "A999", "1234", "5", "10X3", "77DE1G45", "-")
    assert read.check_ok


def test_wrong_check_character_is_read_and_flagged() -> None:
    read = hibc.read("+A99912345/$$52001510X3/16D20111212/S77DE1G45A")
    assert read.lot == "10X3" and read.check_ok is False


@pytest.mark.parametrize(("text", "words"), [
    ("A99912345-", "starts with '+'"),
    ("+a99912345-", "Code 39 set"),
    ("+199912345-", "labeler"),
    ("+A999-", "6 to 23"),
    ("+A9991234X-", "unit of measure"),
    ("+A99912345/LOT-", "starts with '$'"),
    ("+A99912345/$$9027L1-", "quantity"),
    ("+A99912345/$$8L1-", "quantity"),
    ("+A99912345/$$1327L1-", "not a date"),
    ("+A99912345/$$527400L1-", "not in 2027"),
    ("+A99912345/$$4270115251-", "hour"),
    ("+A99912345/$$L1-", "expiry format"),
    ("+A99912345/$$7-", "lot"),
    ("+A99912345/$$7L1/SA/SB-", "serial twice"),
    ("+A99912345/$$3270115L1/14D20270115-", "expiry twice"),
    ("+A99912345/$$7L1/16D20271315-", "not a date"),
    ("+A99912345/$$7L1/Q5-", "supplemental"),
    ("+A99912345/$$7L1/S-", "serial"),
])
def test_broken_structures_are_refused(text: str, words: str) -> None:
    with pytest.raises(HibcError, match=re.escape(words)):
        hibc.read(text)


@pytest.mark.parametrize(("fields", "words"), [
    (Hibc(labeler="a999", product="1", uom="0"), "labeler"),
    (Hibc(labeler="A999", product="X" * 19, uom="0"), "product"),
    (Hibc(labeler="A999", product="1", uom="A"), "unit of measure"),
    (Hibc(labeler="A999", product="1", uom="0", lot="lot-1"), "lot"),
    (Hibc(labeler="A999", product="1", uom="0", quantity=100000, lot="L"), "quantity"),
    (Hibc(labeler="A999", product="1", uom="0", expiry=dt.date(2100, 1, 1), lot="L"), "2099"),
    (Hibc(labeler="A999", product="1", uom="0", expiry=dt.date(2030, 1, 1)), "lot or a serial"),
])
def test_bad_fields_are_refused_when_built(fields: Hibc, words: str) -> None:
    with pytest.raises(HibcError, match=words):
        hibc.encode(fields)


def test_check_character_refuses_outside_code39() -> None:
    with pytest.raises(ValueError, match="Code 39"):
        hibc.check_character("+a")


CODE = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=18)
DAYS = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))


@settings(deadline=None, max_examples=300)
@given(labeler=st.from_regex(r"[A-Z][A-Z0-9]{3}", fullmatch=True), product=CODE,
       uom=st.sampled_from("0123456789"), lot=st.none() | CODE, serial=st.none() | CODE,
       expiry=st.none() | DAYS, manufactured=st.none() | DAYS,
       quantity=st.none() | st.integers(0, 99999), alone=st.booleans())
def test_built_structures_read_back(labeler: str, product: str, uom: str, lot: str | None,
                                    serial: str | None, expiry: dt.date | None,
                                    manufactured: dt.date | None, quantity: int | None,
                                    alone: bool) -> None:
    fields = Hibc(labeler=labeler, product=product, uom=uom, lot=lot, serial=serial,
                  expiry=expiry, manufactured=manufactured, quantity=quantity)
    if fields.has_secondary and lot is None and serial is None:
        with pytest.raises(HibcError):
            hibc.encode(fields)
        return
    if alone and fields.has_secondary:
        primary = hibc.encode(Hibc(labeler=labeler, product=product, uom=uom))
        read = hibc.read(hibc.encode_secondary(fields))
        assert read.link == primary[-1]
        assert (read.labeler, read.product, read.uom) == (None, None, None)
    else:
        read = hibc.read(hibc.encode(fields))
        assert (read.labeler, read.product, read.uom) == (labeler, product, uom)
    assert read.check_ok is True
    assert (read.lot, read.serial, read.expiry, read.manufactured, read.quantity) == (
        lot, serial, expiry, manufactured, quantity)
