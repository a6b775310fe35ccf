"""GS1 QR Code bit stream: FNC1 first, GS as '%' in alphanumeric mode, cheapest segments."""

from __future__ import annotations

import pytest

from templates import SYMBOLOGIES, TemplateError
from templates.gs1 import GS
from templates.symbologies.gs1qr import (
    ALPHANUMERIC,
    BYTE,
    NUMERIC,
    codewords,
    data_bits,
    gs1_qr_rows,
    segment_modes,
)


def _bits(text: str) -> list[int]:
    return [int(b) for b in text]


def test_stream_starts_with_fnc1_first_mode_indicator() -> None:
    assert data_bits("01", 1)[:4] == _bits("0101")


def test_numeric_element_string_is_one_numeric_segment() -> None:
    # 0101 FNC1 | 0001 numeric | count 20 in 10 bits | 6 groups of 3 digits + 2 digits
    bits = data_bits("00106141411234567897", 1)
    assert bits[:18] == _bits("0101" "0001" "0000010100")
    assert len(bits) == 18 + 6 * 10 + 7


def test_gs_is_percent_and_percent_is_doubled_in_alphanumeric_mode() -> None:
    # "A%" + GS -> alphanumeric "A%%%": count 4, values A=10, %=38
    bits = data_bits("A%" + GS, 1)
    assert bits[4:8] == _bits("0010")
    assert bits[8:17] == _bits(f"{4:09b}")
    assert bits[17:28] == _bits(f"{10 * 45 + 38:011b}")
    assert bits[28:39] == _bits(f"{38 * 45 + 38:011b}")


def test_segments_switch_to_numeric_for_long_digit_runs() -> None:
    message = "0109506000134352" "10ABC" + GS + "21lower"
    modes = [m for m, _ in segment_modes(message, 0)]
    assert modes[0] == NUMERIC and ALPHANUMERIC in modes and modes[-1] == BYTE
    assert "".join(t for _, t in segment_modes(message, 0)) == message


def test_symbol_grows_with_data_and_fills_capacity() -> None:
    small, big = codewords("01" + "9" * 14), codewords("21" + "X" * 200)
    assert small[0] == 1 and big[0] > small[0]
    assert len(small[1]) % 8 == 0
    assert len(gs1_qr_rows("01" + "9" * 14)) == 21


def test_too_much_data_is_refused() -> None:
    with pytest.raises(TemplateError, match="too much data"):
        SYMBOLOGIES["gs1-qr"].prepare("21" + "x" * 3000)
