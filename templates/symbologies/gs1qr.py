"""GS1 QR Code: FNC1 in first position (mode 0101) and GS as FNC1, placed by segno's matrix code.

segno and qrcode write only their own mode segments, so the data bit stream is built here
(ISO/IEC 18004 §7.4: FNC1-first indicator, then the cheapest numeric / alphanumeric / byte
segments, terminator and pad codewords). Error correction, placement, masking and format
information come from `segno.encoder`; the symbology tests decode every output with zxing-cpp.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from segno import consts as _consts
from segno import encoder as _encoder

from templates.gs1 import GS
from templates.symbologies.base import Symbol, Symbology, refuse, register
from templates.symbologies.matrix import module_rows

qr: Any = _encoder  # segno's untyped internals: error correction, placement, masking
consts: Any = _consts

FNC1_FIRST = 0b0101
NUMERIC, ALPHANUMERIC, BYTE = 1, 2, 4
MODES = (NUMERIC, ALPHANUMERIC, BYTE)
ALPHANUMERIC_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# Character count indicator bits for versions 1-9, 10-26, 27-40.
COUNT_BITS = {NUMERIC: (10, 12, 14), ALPHANUMERIC: (9, 11, 13), BYTE: (8, 16, 16)}
ERROR_LEVEL = consts.ERROR_LEVEL_M
PAD_CODEWORDS = (0xEC, 0x11)
_INF = 1 << 60


def _size_class(version: int) -> int:
    return 0 if version <= 9 else 1 if version <= 26 else 2


def _cost(mode: int, ch: str) -> int:
    """Return the cost of one character in a mode, in sixths of a bit (or _INF)."""
    if mode == NUMERIC:
        return 20 if "0" <= ch <= "9" else _INF
    if mode == ALPHANUMERIC:
        if ch == "%":
            return 66  # '%%' in FNC1 mode
        return 33 if ch == GS or ch in ALPHANUMERIC_CHARS else _INF
    return 48 * len(ch.encode("utf-8"))


def segment_modes(message: str, size_class: int) -> list[tuple[int, str]]:
    """Split a message into the (mode, text) segments of fewest bits (Nayuki's method)."""
    head = {m: (4 + COUNT_BITS[m][size_class]) * 6 for m in MODES}
    costs = dict(head)
    chosen: list[dict[int, int]] = []
    for ch in message:
        now = {m: costs[m] + _cost(m, ch) for m in MODES}
        pick = {m: m for m in MODES if now[m] < _INF}
        for to in MODES:
            for start in MODES:
                if start not in pick:
                    continue
                switched = (now[start] + 5) // 6 * 6 + head[to]
                if to not in pick or switched < now[to]:
                    now[to], pick[to] = switched, start
        chosen.append(pick)
        costs = now
    mode = min(MODES, key=lambda m: costs[m])
    per_char: list[int] = []
    for pick in reversed(chosen):
        mode = pick[mode]
        per_char.append(mode)
    per_char.reverse()
    segments: list[tuple[int, str]] = []
    for ch, m in zip(message, per_char, strict=True):
        if segments and segments[-1][0] == m:
            segments[-1] = (m, segments[-1][1] + ch)
        else:
            segments.append((m, ch))
    return segments


def _put(bits: list[int], value: int, length: int) -> None:
    bits.extend((value >> i) & 1 for i in reversed(range(length)))


def data_bits(message: str, version: int) -> list[int]:
    """Return the data bit stream before terminator and padding: FNC1 first, then segments."""
    size_class = _size_class(version)
    bits: list[int] = []
    _put(bits, FNC1_FIRST, 4)
    for mode, text in segment_modes(message, size_class):
        _put(bits, mode, 4)
        if mode == NUMERIC:
            _put(bits, len(text), COUNT_BITS[mode][size_class])
            for i in range(0, len(text), 3):
                group = text[i : i + 3]
                _put(bits, int(group), 3 * len(group) + 1)
        elif mode == ALPHANUMERIC:
            chars = text.replace("%", "%%").replace(GS, "%")
            _put(bits, len(chars), COUNT_BITS[mode][size_class])
            values = [ALPHANUMERIC_CHARS.index(c) for c in chars]
            for i in range(0, len(values) - 1, 2):
                _put(bits, values[i] * 45 + values[i + 1], 11)
            if len(values) % 2:
                _put(bits, values[-1], 6)
        else:
            raw = text.encode("utf-8")
            _put(bits, len(raw), COUNT_BITS[mode][size_class])
            for byte in raw:
                _put(bits, byte, 8)
    return bits


def codewords(message: str) -> tuple[int, list[int]]:
    """Return (version, data bits filled to capacity) of the smallest level-M symbol."""
    for version in range(1, 41):
        bits = data_bits(message, version)
        capacity = consts.SYMBOL_CAPACITY[version][ERROR_LEVEL]
        if len(bits) <= capacity:
            bits.extend([0] * min(4, capacity - len(bits)))
            bits.extend([0] * (-len(bits) % 8))
            for i in range((capacity - len(bits)) // 8):
                _put(bits, PAD_CODEWORDS[i % 2], 8)
            return version, bits
    raise refuse("too much data for a GS1 QR Code at error correction level M")


@lru_cache(maxsize=1024)
def gs1_qr_rows(message: str) -> tuple[str, ...]:
    """Return the module rows of a GS1 QR Code for an element string (GS separators)."""
    version, bits = codewords(message)
    final = qr.make_final_message(version, ERROR_LEVEL, qr.Buffer(bits))
    width = qr.calc_matrix_size(version)
    matrix = qr.make_matrix(width, width)
    qr.add_finder_patterns(matrix, width, width)
    qr.add_alignment_patterns(matrix, width, width)
    qr.add_codewords(matrix, final, version)
    mask, matrix = qr.find_and_apply_best_mask(matrix, width, width, None)
    qr.add_format_info(matrix, version, ERROR_LEVEL, mask)
    qr.add_version_info(matrix, version)
    return module_rows(matrix)


@register
class Gs1Qr(Symbology):
    """GS1 QR Code, level M: FNC1 first, GS after variable-length element strings."""

    slug = "gs1-qr"
    quiet = 4
    two_d = True
    gs1 = True

    def prepare(self, data: str) -> str:
        """Accept an element string that fits a version 40 symbol."""
        gs1_qr_rows(data)
        return data

    def encode(self, data: str) -> Symbol:
        """Return the module matrix."""
        return Symbol(gs1_qr_rows(data), self.quiet)
