"""Scheme formatting, parsing, counters, capacity and time zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from stdnum import luhn

from numbering import NumberingError, ParseError, Scheme, SequenceExhausted, load_examples

EXAMPLES = {d["name"]: d for d in load_examples()}
WIDGET = {"model": "WIDGET-100", "site": "munich"}


def scheme(**kw: object) -> Scheme:
    return Scheme.model_validate({"name": "t", **kw})


def test_contract_example() -> None:
    s = Scheme.model_validate(EXAMPLES["acme-serial"])
    assert s.format(fields=WIDGET, date=dt.date(2026, 11, 20), seq=123) == "4172647001232"
    p = s.parse("4172647001232")
    assert p.fields == WIDGET
    assert p.date == {"GG": "26", "WW": "47"}
    assert p.seq == 123
    assert p.check_ok is True
    assert s.capacity == 99_999
    assert s.capacity_report == "99,999 per model, site and ISO week"


def test_wrong_check_character_parses_with_check_not_ok() -> None:
    s = Scheme.model_validate(EXAMPLES["acme-serial"])
    assert s.parse("4172647001233").check_ok is False


@pytest.mark.parametrize("value", ["417265400123", "41726540012a", "4172654001232", ""])
def test_values_that_do_not_fit_raise_parse_error(value: str) -> None:
    s = Scheme.model_validate(EXAMPLES["acme-serial"])
    with pytest.raises(ParseError):
        s.parse(value)


def test_out_of_range_date_parts_are_parse_errors() -> None:
    s = Scheme.model_validate(EXAMPLES["acme-serial"])
    value = s.format(fields=WIDGET, date=dt.date(2026, 11, 20), seq=5)
    bad_week = value[:5] + "54" + value[7:]
    with pytest.raises(ParseError, match="out of range"):
        s.parse(bad_week)
    m = scheme(pattern="{YYYY}{MM}{DD}-{seq:3}")
    with pytest.raises(ParseError, match="out of range"):
        m.parse("20261301-001")
    with pytest.raises(ParseError, match="not a calendar date"):
        m.parse("20260230-001")


def test_check_character_outside_alphabet_is_parse_error() -> None:
    s = scheme(pattern="{seq:4}{check:mod11-2}")
    good = s.format({}, seq=79)
    assert s.parse(good).check_ok
    with pytest.raises(ParseError):
        s.parse(good[:-1] + "Y")


def test_year_boundary_counters_restart_per_iso_week() -> None:
    s = Scheme.model_validate(EXAMPLES["acme-serial"])
    jan1 = s.counter_key(WIDGET, dt.date(2027, 1, 1))
    dec31 = s.counter_key(WIDGET, dt.date(2026, 12, 31))
    jan4 = s.counter_key(WIDGET, dt.date(2027, 1, 4))
    assert jan1 == dec31 == "41-7-26-53"
    assert jan4 == "41-7-27-01"
    assert s.counter_key({**WIDGET, "site": "austin"}, dt.date(2027, 1, 1)) != jan1


def test_scope_keys_the_counter() -> None:
    s = scheme(pattern="{model}{YY}{MM}{seq:4}", charset="A-Z0-9", scope=["model", "YY"])
    assert s.counter_key({"model": "AB"}, dt.date(2026, 1, 5)) == "AB-26"
    assert s.counter_key({"model": "AB"}, dt.date(2026, 7, 5)) == "AB-26"
    assert s.capacity_report == "9,999 per model and year"


def test_counter_key_escapes_parts_holding_the_separator() -> None:
    s = scheme(pattern="{a}/{b}#{seq:2}", charset="A-Z-")
    assert s.counter_key({"a": "A-B", "b": "C"}) != s.counter_key({"a": "A", "b": "B-C"})


def test_radices() -> None:
    assert scheme(pattern="{seq:4:16}").format({}, seq=255) == "00FF"
    assert scheme(pattern="{seq:3:36}").format({}, seq=1295) == "0ZZ"
    assert scheme(pattern="{seq:3:crockford}").format({}, seq=1234) == "16J"
    s = scheme(pattern="{seq:6:crockford}")
    assert s.format({}, seq=123456789 % 32**6) == s.format({}, seq=123456789 % 32**6)
    assert s.parse(s.format({}, seq=1_000_000)).seq == 1_000_000


def test_exhaustion_never_wraps() -> None:
    s = scheme(pattern="A{seq:2}")
    assert s.capacity == 99
    assert s.format({}, seq=99) == "A99"
    with pytest.raises(SequenceExhausted):
        s.format({}, seq=100)
    assert scheme(pattern="{seq:2:16}", start=0).capacity == 256


def test_capacity_of_random_and_fixed_patterns() -> None:
    assert scheme(pattern="{rand:4:16}").capacity == 16**4
    assert scheme(pattern="{rand:2}-{rand:3:36}").capacity == 100 * 36**3
    assert scheme(pattern="FIXED-{site}", codes={"site": {"a": "1"}}).capacity == 1
    assert scheme(pattern="{rand:3}{seq:2}").capacity == 99


def test_random_tokens_draw_fresh_values_and_parse_back() -> None:
    s = Scheme.model_validate(EXAMPLES["pharma"])
    values = {s.format({}) for _ in range(200)}
    assert len(values) == 200
    for v in values:
        assert len(v) == 12 and s.parse(v).seq is None


def test_field_errors_name_the_field_and_known_values() -> None:
    s = Scheme.model_validate(EXAMPLES["acme-serial"])
    with pytest.raises(NumberingError) as err:
        s.format({"model": "WIDGET-999", "site": "munich"}, dt.date(2026, 1, 1), 1)
    assert err.value.field == "fields.model"
    assert "WIDGET-100, WIDGET-200" in str(err.value)
    with pytest.raises(NumberingError) as err:
        s.format({"model": "WIDGET-100"}, dt.date(2026, 1, 1), 1)
    assert err.value.field == "fields.site"


def test_free_fields_must_fit_charset_and_width() -> None:
    s = scheme(pattern="{line:2}-{seq:3}", charset="0-9")
    assert s.format({"line": "07"}, seq=1) == "07-001"
    for bad in ("7", "A7", "007"):
        with pytest.raises(NumberingError) as err:
            s.format({"line": bad}, seq=1)
        assert err.value.field == "fields.line"
    assert s.format({"line": 12}, seq=1) == "12-001"


def test_unused_fields_are_accepted() -> None:
    s = Scheme.model_validate(EXAMPLES["acme-serial"])
    assert s.format({**WIDGET, "shift": "B", "operator": "x"}, dt.date(2026, 11, 20), 123) == (
        "4172647001232")


def test_site_time_zone_decides_the_production_date() -> None:
    s = Scheme.model_validate(EXAMPLES["acme-lot"])
    # 03:30 UTC on 1 Jan 2027 is still 31 Dec 2026 in Austin, already 1 Jan in Munich.
    moment = dt.datetime(2027, 1, 1, 3, 30, tzinfo=dt.UTC)
    assert s.format({"site": "austin", "line": "1"}, moment, 1) == "LA26365-101"
    assert s.format({"site": "munich", "line": "1"}, moment, 1) == "LM27001-101"
    assert s.production_date({"site": "austin", "line": "1"}, "2026-05-04") == dt.date(2026, 5, 4)
    now_austin = dt.datetime.now(ZoneInfo("America/Chicago")).date()
    assert s.production_date({"site": "austin"}) == now_austin


def test_vin_example() -> None:
    s = Scheme.model_validate(EXAMPLES["vin"])
    v = s.format({"wmi": "1M8", "vds": "GDM9A", "plant": "P"}, dt.date(2019, 3, 1), 42788)
    assert v == "1M8GDM9AXKP042788"
    assert s.parse(v).check_ok is True
    assert s.parse("1M8GDM9A1KP042788").check_ok is False


def test_vin_batch_keeps_its_check_digit_mid_way() -> None:
    s = Scheme.model_validate(EXAMPLES["vin"])
    fields = {"wmi": "1M8", "vds": "GDM9A", "plant": "P"}
    batch = s.format_many(fields, dt.date(2019, 3, 1), range(42787, 42790))
    assert batch[1] == "1M8GDM9AXKP042788"
    assert all(s.parse(v).check_ok for v in batch)


def test_sscc_example() -> None:
    s = Scheme.model_validate(EXAMPLES["sscc"])
    v = s.format({"ext": "1", "company_prefix": "061414112"}, seq=3456789)
    assert v == "106141411234567897"


def test_literal_braces_and_separators_skipped_by_check() -> None:
    s = scheme(pattern="{{SN}}-{seq:4}/{check:luhn}")
    v = s.format({}, seq=7992)
    assert v.startswith("{SN}-7992/")
    assert v[-1] == luhn.calc_check_digit("7992")  # the literals are skipped
    assert s.parse(v).seq == 7992


def test_variable_fields_with_separator_parse_back() -> None:
    s = scheme(pattern="{model}-{site}-{seq:3}", charset="A-Z0-9")
    v = s.format({"model": "AB12", "site": "X"}, seq=3)
    assert s.parse(v).fields == {"model": "AB12", "site": "X"}


def test_definition_round_trips() -> None:
    s = Scheme.model_validate({**EXAMPLES["acme-serial"], "owner": "quality"})
    again = Scheme.model_validate(s.definition())
    assert again.definition() == s.definition()
    assert s.definition()["owner"] == "quality"


def test_widest_value_puts_every_position_at_its_widest() -> None:
    wide = {"W": 3, "M": 2}
    width = lambda text: sum(wide.get(c, 1) for c in text)  # noqa: E731
    lot = Scheme.model_validate(EXAMPLES["acme-lot"])
    assert lot.widest_value(width, {"line": 2}) == "LM10001-WW99"
    assert len(lot.widest_value()) == 1 + 1 + 2 + 3 + 1 + 64 + 2  # {line} takes 64 at most
    serial = Scheme.model_validate(EXAMPLES["acme-serial"])
    value = serial.widest_value()
    assert serial.parse(value).seq == 99_999 and serial.parse(value).check_ok
    vin = Scheme.model_validate(EXAMPLES["vin"])
    parsed = vin.parse(vin.widest_value(width))
    assert parsed.fields == {"wmi": "WWW", "vds": "WWWWW", "plant": "W"} and parsed.check_ok
    assert parsed.date == {"YC": "W"}  # the year code's widest letter: model year 2028
    pharma = Scheme.model_validate(EXAMPLES["pharma"])
    assert pharma.widest_value(width) == "W" * 12
    codes = scheme(pattern="{model}{seq:1:36}", codes={"model": {"A": "1", "B": "22"}})
    assert codes.widest_value() == "22Z"
