"""Text on labels: the shipped fonts that draw it, the box it takes and how long text is fitted.

PDF and PNG draw text with the fonts in `templates/fonts/`: DejaVu Sans (Latin, Greek,
Cyrillic), then Droid Sans Fallback (Chinese, Japanese, Korean) for what DejaVu lacks, each
character from the first that has it. Every text box is measured from their metrics (advance
widths, no kerning, which is how both renderers place glyphs), so a check that a template fits
and the drawing agree. The printer's font 0 (ZPL) is narrower than these boxes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
CUT = "..."  # ends text cut to fit its width; plain ASCII, so every printer font has it
MIN_SCALE = 0.6  # text is condensed to 60 % of its width at most, then cut
# The printer's font 0 draws round digits up to 4 % of its size above the field origin
# (zplkit's ZD621 profile shows it); a text box starts that much above its line.
OVERSHOOT = 0.04


class Face:
    """One shipped TrueType font: which characters it has, their glyphs and metrics in em."""

    def __init__(self, index: int, file: str) -> None:
        self.index = index
        self.path = FONT_DIR / file

    def __repr__(self) -> str:
        return f"Face({self.path.name!r})"

    @cached_property
    def _font(self) -> TTFont:
        return TTFont(self.path, lazy=True)

    @cached_property
    def glyph_order(self) -> tuple[str, ...]:
        """Return the glyph names by glyph id."""
        return tuple(self._font.getGlyphOrder())

    @cached_property
    def glyph_ids(self) -> dict[int, int]:
        """Return code point -> glyph id for every character the font has."""
        order = {name: gid for gid, name in enumerate(self.glyph_order)}
        return {code: order[name] for code, name in self._font.getBestCmap().items()}

    @cached_property
    def advances(self) -> tuple[float, ...]:
        """Return each glyph's advance width in em, by glyph id."""
        upm, metrics = self.units_per_em, self._font["hmtx"].metrics
        return tuple(metrics[name][0] / upm for name in self.glyph_order)

    @cached_property
    def units_per_em(self) -> int:
        """Return the font's design units per em."""
        return int(self._font["head"].unitsPerEm)

    @cached_property
    def ascent(self) -> float:
        """Return how far the font's lines reach above the baseline, in em."""
        return float(self._font["hhea"].ascent) / self.units_per_em

    @cached_property
    def descent(self) -> float:
        """Return how far the font's lines reach below the baseline, in em."""
        return -float(self._font["hhea"].descent) / self.units_per_em

    @cached_property
    def characters(self) -> dict[int, int]:
        """Return glyph id -> the lowest code point drawn with it (for text extraction)."""
        out: dict[int, int] = {}
        for code, gid in sorted(self.glyph_ids.items(), reverse=True):
            out[gid] = code
        return out


FACES = (Face(0, "DejaVuSans.ttf"), Face(1, "DroidSansFallback.ttf"))
PRIMARY = FACES[0]


@dataclass(frozen=True, slots=True)
class Run:
    """Characters of a line drawn with one face: their glyph ids and advance width in em."""

    face: Face
    text: str
    glyphs: tuple[int, ...]
    advance: float


@lru_cache(maxsize=16384)
def runs(line: str) -> tuple[Run, ...]:
    """Split a line into runs of one face each: per character the first face that has it.

    A character no face has is drawn as the primary face's missing-glyph box.
    """
    out: list[Run] = []
    face: Face | None = None
    text: list[str] = []
    glyphs: list[int] = []
    for char in line:
        code = ord(char)
        found = next((f for f in FACES if code in f.glyph_ids), PRIMARY)
        if found is not face and text:
            out.append(_run(face or PRIMARY, text, glyphs))
            text, glyphs = [], []
        face = found
        text.append(char)
        glyphs.append(found.glyph_ids.get(code, 0))
    if text:
        out.append(_run(face or PRIMARY, text, glyphs))
    return tuple(out)


def _run(face: Face, text: list[str], glyphs: list[int]) -> Run:
    advances = face.advances
    return Run(face, "".join(text), tuple(glyphs), sum(advances[g] for g in glyphs))


def width(line: str, size: int) -> float:
    """Return the advance width of a line of text at `size` dots, in dots."""
    return sum(r.advance for r in runs(line)) * size


def baseline(size: int) -> int:
    """Return how far below the top of its line (y) a text of `size` dots sits, in dots."""
    return round(PRIMARY.ascent * size)


def extent(line: str, size: int) -> tuple[int, int]:
    """Return the top and bottom of a line's box relative to its y, in dots (top <= 0)."""
    faces = {r.face for r in runs(line)} or {PRIMARY}
    base = baseline(size)
    above = math.ceil(max(f.ascent for f in faces) * size)
    below = math.ceil(max(f.descent for f in faces) * size)
    return min(-math.ceil(size * OVERSHOOT), base - above), base + below


def fit(line: str, size: int, room: int) -> tuple[str, float]:
    """Return the text and its horizontal scale so that it prints at most `room` dots wide.

    Longer text is condensed, down to MIN_SCALE; text still too long is cut and ends in CUT.
    """
    natural = width(line, size)
    if natural <= room:
        return line, 1.0
    if natural * MIN_SCALE <= room:
        return line, room / natural
    lo, hi = 0, len(line)
    while lo < hi:  # the longest head that, with CUT, fits at MIN_SCALE
        mid = (lo + hi + 1) // 2
        if width(line[:mid].rstrip() + CUT, size) * MIN_SCALE <= room:
            lo = mid
        else:
            hi = mid - 1
    cut = line[:lo].rstrip() + CUT
    return cut, min(MIN_SCALE, room / width(cut, size))
