"""Check characters against published vectors, and the single-substitution errors each detects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from numbering import ALGORITHMS, CheckAlgorithm, register
from numbering.checks import vin_check


@pytest.mark.parametrize(
    ("algorithm", "payload", "check"),
    [
        # GS1 General Specifications worked examples
        ("gs1", "629104150021", "3"),            # GTIN-13 6291041500213
        ("gs1", "10614141123456789", "7"),       # SSCC 106141411234567897
        ("gs1", "950600013435", "2"),            # GTIN-13 9506000134352
        ("gs1", "0950600013435", "2"),           # GTIN-14 09506000134352 (padding invariant)
        ("gs1", "123456789012", "8"),            # GLN 1234567890128
        ("gs1", "890400021003", "7"),            # GS1 India example
        ("gs1", "1234567", "0"),                 # GTIN-8 12345670
        # Luhn (ISO/IEC 7812-1): 79927398713 and the Visa test card number
        ("luhn", "7992739871", "3"),
        ("luhn", "411111111111111", "1"),        # 4111111111111111
        ("luhn", "7894", "9"),
        # ISO 7064 (python-stdnum's documented examples)
        ("mod11-2", "0794", "0"),
        ("mod11-2", "079", "X"),
        ("mod37-2", "G123489654321", "Y"),
        ("mod37-36", "A12425GABC1234002", "M"),
        ("mod97-10", "4354111611551114", "31"),
        # Verhoeff and Damm (the published worked examples)
        ("verhoeff", "1234", "0"),
        ("verhoeff", "236", "3"),
        ("damm", "572", "4"),
    ],
)
def test_published_vectors(algorithm: str, payload: str, check: str) -> None:
    assert ALGORITHMS[algorithm].compute(payload) == check


@pytest.mark.parametrize(
    "vin",
    ["1M8GDM9AXKP042788", "1HGCM82633A004352", "1G4AH59H45G118341", "JH2RC3605MM101581"],
)
def test_real_vins(vin: str) -> None:
    assert vin_check(vin[:8] + vin[9:]) == vin[8]


def test_vin_check_rejects_wrong_length() -> None:
    with pytest.raises(ValueError):
        vin_check("1M8GDM9A")


def test_register_refuses_a_duplicate_slug() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(CheckAlgorithm("luhn", "Luhn again", "0123456789", "0123456789", 1, str))


# Every algorithm except VIN detects every single-character substitution in its alphabet.
DETECTS_ALL = [slug for slug in ALGORITHMS if slug != "vin"]


@pytest.mark.parametrize("slug", DETECTS_ALL)
@given(data=st.data())
def test_detects_every_single_substitution(slug: str, data: st.DataObject) -> None:
    alg = ALGORITHMS[slug]
    payload = data.draw(st.text(alphabet=alg.alphabet, min_size=1, max_size=20))
    check = alg.compute(payload)
    position = data.draw(st.integers(0, len(payload) - 1))
    for replacement in alg.alphabet:
        if replacement == payload[position]:
            continue
        changed = payload[:position] + replacement + payload[position + 1:]
        assert alg.compute(changed) != check, (payload, changed)


def test_vin_misses_substitutions_between_letters_of_equal_value() -> None:
    """VIN transliteration gives A and J (and others) the same value: such a swap goes unseen."""
    vin = "1M8GDM9AXKP042788"
    swapped = vin[:7] + "J" + vin[8:]      # position 8: A (1) -> J (1)
    assert vin_check(swapped[:8] + swapped[9:]) == vin[8]


def test_vin_misses_nothing_among_digits_at_weighted_positions() -> None:
    """A digit substitution at any weighted position changes the VIN check digit (weights < 11)."""
    vin = "1HGCM82633A004352"
    payload = vin[:8] + vin[9:]
    for pos in range(16):
        if not payload[pos].isdigit():
            continue
        for d in "0123456789":
            if d != payload[pos]:
                assert vin_check(payload[:pos] + d + payload[pos + 1:]) != vin[8]
