"""Every rule of the gs1 package, with cases of our own: the table, each linter, message rules,
element strings, the bracketed form, Digital Link URIs and scanner text."""

from __future__ import annotations

import pytest

import gs1
from gs1 import GS, check_element, read_digital_link, read_element_string, read_hri, read_scan


def test_table_holds_every_ai_with_its_attributes() -> None:
    table = gs1.table()
    assert len(table) == 541 and gs1.table_version().startswith("2025")
    assert table["01"].predefined and table["01"].dl_qualifiers == (("22", "10", "21"), ("235",))
    assert not table["10"].predefined and table["10"].max_length == 20
    assert table["8010"].components[0].charset == "Y" and table["8010"].min_length == 1
    assert table["3103"].excludes == ("310n",)
    assert table["8030"].requires[0][1] == ("01", "21")


@pytest.mark.parametrize(("ai", "data"), [
    ("00", "106141411234567897"), ("01", "09506000134352"), ("8010", "0200"),
    ("8013", "1987654Ad4X4bL5ttr2310c2K"), ("11", "260200"), ("4326", "260228"),
    ("422", "276"), ("423", "276528040"), ("7030", "999ABC"), ("4307", "DE"),
    ("3911", "978123"), ("8007", "DE91100000000123456789"), ("8026", "095060001343520102"),
    ("4300", "M%C3%BCller"), ("4309", "18000000003600000000"), ("8011", "0"),
    ("8003", "095060001343520X"), ("4330", "001250-"), ("7007", "260101260131"),
    ("8008", "2601011230"), ("8008", "260101123059"), ("8030", "ABC-_="),
    ("8110", "012345612345611110123"), ("8110", "0123456123456111101233260101"),
    ("8112", "001234561234560123456"), ("7258", "1/2"), ("7252", "9"), ("7241", "85"),
    ("7040", "1AB-"), ("8001", "123412345123091"[:14]),
])
def test_valid_data_passes(ai: str, data: str) -> None:
    assert check_element(ai, data) is None


@pytest.mark.parametrize(("ai", "data", "words"), [
    ("01", "09506000134351", "check digit 1 is wrong (should be 2)"),
    ("00", "106141411234567890", "check digit"),
    ("01", "0950600013435", "exactly 14 digits"),
    ("10", "", "empty"),
    ("10", "A" * 21, "1 to 20"),
    ("10", "AB^C", "set 82"),
    ("8010", "12_4", "set 39"),
    ("8030", "AB:C", "set 64"),
    ("8030", "ABCD=", "padding"),
    ("8013", "123456ABXX", "check character pair"),
    ("8013", "A", "too short"),
    ("401", "123", "GS1 Company Prefix"),
    ("7023", "12A4", "GS1 Company Prefix"),
    ("11", "261301", "month 13"),
    ("4326", "260200", "day 00"),
    ("7006", "260230", "day 30"),
    ("4324", "2601012400", "hour 24"),
    ("8008", "260101236", "minutes"),
    ("426", "987", "ISO 3166"),
    ("7030", "987ABC", "999"),
    ("423", "2765", "three-digit"),
    ("4307", "XX", "two-letter"),
    ("3910", "987123", "ISO 4217"),
    ("8007", "AB12345678901234", "country code"),
    ("8007", "FR1234", "too short"),
    ("8007", "FR12_45678901234", "cannot be part"),
    ("8007", "DE91100000000123456788", "check digits"),
    ("4300", "ABC%0g", "%0g"),
    ("4309", "18000000010000000000", "latitude"),
    ("4309", "00000000003600000001", "longitude"),
    ("8001", "12340000012311", "zero"),
    ("8003", "112345678901281234567890123456", "must be 0"),
    ("8011", "023456789012", "start with 0"),
    ("8001", "12341234512321", "winding"),
    ("4321", "2", "0 (no) or 1 (yes)"),
    ("8026", "095060001343520002", "piece number"),
    ("8026", "095060001343520100", "total"),
    ("8026", "095060001343520302", "more than the total"),
    ("4330", "000000X", "'-'"),
    ("7040", "1AB=", "importer index"),
    ("7252", "5", "5218"),
    ("7258", "111", "position/end"),
    ("7258", "0/3", "start with 0"),
    ("7258", "2/1", "after the end"),
    ("7241", "50", "media type"),
    ("7007", "211225211", "fits none|must be"),
    ("8110", "71234567890123", "one of 0, 1, 2, 3, 4, 5, 6"),
    ("8110", "0123456123456", "save value length digit is missing"),
    ("8110", "01234561234561111012335006064500607", "expires"),
    ("8110", "012345612345611110123900000", "left over"),
    ("8112", "201234561234560123456", "format code"),
    ("8112", "01123456", "funder"),
    ("99", "A\x00B", "NUL"),
    ("05", "1", "not a GS1 Application Identifier"),
])
def test_each_rule_refuses_with_the_ai_and_the_rule(ai: str, data: str, words: str) -> None:
    problem = check_element(ai, data)
    assert problem is not None and problem.ai == ai
    assert any(w in problem.message for w in words.split("|")), problem.message
    assert problem.message.startswith(f"({ai})")


@pytest.mark.parametrize(("text", "words"), [
    ("(01)09506000134352(02)09506000134352(37)1", "must not be in one message"),
    ("(3940)1234(3941)9999", "(3940) and (3941)"),
    ("(02)09506000134352", "needs (37)"),
    ("(21)ABC", "needs (01), (03) or (8006)"),
    ("(01)09506000134352(250)X", "needs (21)"),
    ("(400)A(400)B", "different values"),
    ("(8030)ABC", "(8030) DIGSIG needs"),
    ("(253)9506000134352(8030)ABC", "serial component"),
])
def test_message_rules(text: str, words: str) -> None:
    found = read_hri(text)
    assert not found.valid and found.problems[0].level == "message"
    assert words in found.problems[0].message


def test_message_rules_that_hold() -> None:
    for text in ("(400)A(400)A", "(02)09506000134352(37)12(00)106141411234567897",
                 "(01)09506000134352(3925)12599(3100)654321",
                 "(8030)ABC(01)09506000134352(21)X", "(253)9506000134352X(8030)ABC"):
        assert read_hri(text).valid, text


def test_fixed_length_ais_split_by_length_and_others_read_to_the_separator() -> None:
    assert read_element_string("0109506000134352991234").elements == (
        ("01", "09506000134352"), ("99", "1234"))
    phantom = read_element_string("7007211225211")
    assert phantom.elements == (("7007", "211225211"),) and not phantom.valid
    assert read_element_string("0109506000134352" + GS + "10A" + GS).valid
    lone = read_element_string("10A")
    assert lone.element_problems == () and lone.problems[0].level == "message"
    assert not read_element_string("010950600013435").valid
    assert "no GS1 Application Identifier" in read_element_string("05123").problems[0].message


def test_bracketed_form() -> None:
    assert read_hri("(10)A\\(B").elements == (("10", "A(B"),)
    for bad in ("(10)(11)260101", "(10)A(11)", "(1A)1", "(", "()1", "12345"):
        assert not read_hri(bad).valid, bad


@pytest.mark.parametrize(("uri", "elements"), [
    ("https://id.gs1.org/01/09506000134352/10/ABC/21/S1?17=260101",
     [("01", "09506000134352"), ("10", "ABC"), ("21", "S1"), ("17", "260101")]),
    ("HTTPS://a/00/106141411234567897", [("00", "106141411234567897")]),
    ("https://a/shop/00/faux/00/106141411234567897", [("00", "106141411234567897")]),
    ("https://a/01/09506000134352/22/A%2dB?99=X%2BY&linkType=all&flag",
     [("01", "09506000134352"), ("22", "A-B"), ("99", "X+Y")]),
    ("https://a/01/09506000134352/235/T?10=L", [("01", "09506000134352"), ("235", "T"),
                                                ("10", "L")]),
])
def test_digital_links_read(uri: str, elements: list[tuple[str, str]]) -> None:
    found = read_digital_link(uri)
    assert list(found.elements) == elements and not found.element_problems


@pytest.mark.parametrize(("uri", "words"), [
    ("https://a/01/9506000134352", "exactly 14"),  # a GTIN-13 is never padded
    ("https://a/01/09506000134351", "check digit"),
    ("https://a/01/09506000134352?10=ABC", "belongs in the path"),
    ("https://a/01/09506000134352/10/A?10=A", "twice"),
    ("https://a/01/09506000134352?99=A&99=A", "twice"),
    ("https://a/01/09506000134352?99=", "empty"),
    ("https://a/01/09506000134352?999=X", "not a GS1 Application Identifier"),
    ("https://a/01/09506000134352/10/", "empty"),
    ("https://a/01/09506000134352/99/X", "not its qualifiers"),
    ("https://a/01/09506000134352/21/A/10/B", "not its qualifiers"),
    ("https://a/gtin/09506000134352", "no GS1 Digital Link primary key"),
    ("https://a/01/09506000134352<x", "may not contain"),
    ("https://a$/01/09506000134352", "domain"),
    ("https://a/01/0950600013435%002", "NUL"),
    ("http://a", "domain and a path"),
])
def test_bad_digital_links_are_refused(uri: str, words: str) -> None:
    found = read_digital_link(uri)
    assert not found.valid and words in found.problems[0].message, found.problems


@pytest.mark.parametrize("text", [
    "]C10109506000134352" "10ABC" + GS + "21S1",
    "]C10109506000134352" "10ABC<GS>21S1",
    "]C10109506000134352" "10ABC{GS}21S1",
    "]C10109506000134352" "10ABC^]21S1",
    "]C10109506000134352" "10ABC\\x1d21S1",
    "]C10109506000134352" "10ABC]C121S1",
    "]e00109506000134352" "10ABC" + GS + "21S1",
    "]d20109506000134352" "10ABC" + GS + "21S1",
    "]Q30109506000134352" "10ABC" + GS + "21S1",
    "]J10109506000134352" "10ABC" + GS + "21S1",
    "C10109506000134352" "10ABC" + GS + "21S1",
    "+C10109506000134352" "10ABC" + GS + "21S1",
    "$d20109506000134352" "10ABC" + GS + "21S1",
    "0109506000134352" "10ABC" + GS + "21S1",
    "(01)09506000134352(10)ABC(21)S1",
    "]Q1https://id.gs1.org/01/09506000134352/10/ABC/21/S1",
    "https://id.gs1.org/01/09506000134352/10/ABC/21/S1\r\n",
])
def test_every_scanner_form_reads_the_same(text: str) -> None:
    found = read_scan(text)
    assert found.elements == (("01", "09506000134352"), ("10", "ABC"), ("21", "S1"))
    assert found.valid, found.problems


def test_scans_that_are_not_gs1_or_are_broken() -> None:
    assert read_scan("]C0SN-1").plain == "SN-1" and read_scan("]C0SN-1").identifier == "]C0"
    assert read_scan("]E05901234123457").plain == "5901234123457"
    assert not read_scan("]E05901234123458").valid
    assert not read_scan("]XX1").valid and not read_scan("]").valid
    bad = read_scan("]C10109506000134351")
    assert bad.kind == "gs1" and not bad.valid and bad.problems[0].ai == "01"
    assert not read_scan("]C1").valid and not read_scan("]C101095060001343^10A").valid
    assert read_scan("HtTp://a/01/09506000134352").kind == "plain"
    assert read_scan("+A99912345/$$52001510X3/16D20111212/S77DE1G45-").kind == "plain"
    assert read_scan("SN-000123").kind == "plain"
