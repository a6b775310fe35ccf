"""HIBC scans: read as kind hibc with their fields and check, their lot and serial looked up."""

from __future__ import annotations

import pytest

import hibc

pytestmark = pytest.mark.xdist_group("api-scan-hibc")
EXAMPLE = "+A99912345/$$52001510X3/16D20111212/S77DE1G45-"


def test_the_issues_example_reads_every_field(api):
    body = api.post("/api/v1/scan", {"data": EXAMPLE}, role="viewer").get_json()
    assert body["kind"] == "hibc" and body["valid"] is True and body["errors"] == []
    assert body["hibc"] == {
        "structure": "primary+secondary", "labeler": "A999", "product": "1234", "uom": "5",
        "lot": "10X3", "serial": "77DE1G45", "expiry": "2020-01-15",
        "manufactured": "2011-12-12", "quantity": None, "link": None, "check_ok": True}
    assert body["matches"] == [{"ai": None, "value": "10X3", "registered": False},
                               {"ai": None, "value": "77DE1G45", "registered": False}]


def test_a_wrong_check_character_is_flagged_not_read_as_plain(api):
    body = api.post("/api/v1/scan", {"data": EXAMPLE[:-1] + "A"}, role="viewer").get_json()
    assert body["kind"] == "hibc" and body["valid"] is False
    assert body["hibc"]["check_ok"] is False and body["hibc"]["lot"] == "10X3"
    assert body["errors"] == [{"ai": None, "level": "element", "message":
                               "the HIBC check character A is wrong (should be -)"}]


def test_hibc_after_a_symbology_identifier_and_its_records(api):
    api.post("/api/v1/schemes", {"name": "hibc-lot", "kind": "lot", "pattern": "HL{seq:4}"})
    lot = api.post("/api/v1/lots", {"scheme": "hibc-lot"}, role="receiver").get_json()[
        "identifiers"][0]["value"]
    text = hibc.encode(hibc.Hibc(labeler="A999", product="1234", uom="0", lot=lot))
    for scanned, symbology in ((text, "hibc"), ("]C0" + text, "code128"),
                               ("]d1" + text, "datamatrix")):
        body = api.post("/api/v1/scan", {"data": scanned}, role="viewer").get_json()
        assert body["kind"] == "hibc" and body["symbology"] == symbology, scanned
        assert [r["value"] for r in body["records"]] == [lot]
    secondary = hibc.encode_secondary(hibc.Hibc(labeler="A999", product="1234", uom="0",
                                                lot=lot))
    body = api.post("/api/v1/scan", {"data": secondary}, role="viewer").get_json()
    primary = hibc.encode(hibc.Hibc(labeler="A999", product="1234", uom="0"))
    assert body["hibc"]["structure"] == "secondary" and body["hibc"]["link"] == primary[-1]


def test_gs1_and_plain_values_stay_what_they_were(api):
    # A German keyboard wedge types ]C1 as +C1: GS1 data, not HIBC.
    body = api.post("/api/v1/scan", {"data": "+C1010950600013435210ABC"},
                    role="viewer").get_json()
    assert body["kind"] == "gs1" and "hibc" not in body
    # Text starting with + that is no HIBC structure is a plain value.
    body = api.post("/api/v1/scan", {"data": "+12"}, role="viewer").get_json()
    assert body["kind"] == "plain" and body["value"] == "+12"
