"""Text on labels: the font that draws it, the box it takes and how long text is fitted, in dots.

PNG text is drawn with this font and every text box is measured from its metrics, so a check
that a template fits and the drawing agree. PDF's Helvetica and the printer's font 0 (a
condensed face) print narrower than these boxes.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import ImageFont

FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CUT = "..."  # ends text cut to fit its width; plain ASCII, so every printer font has it
MIN_SCALE = 0.6  # text is condensed to 60 % of its width at most, then cut
# The printer's font 0 draws round digits up to 4 % of its size above the field origin
# (zplkit's ZD621 profile shows it); a text box starts that much above its line.
OVERSHOOT = 0.04


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return a TrueType font of `size` pixels, or Pillow's built-in one."""
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def width(text: str, size: int) -> float:
    """Return the advance width of a line of text at `size` dots, in dots."""
    return float(font(size).getlength(text))


def overshoot(size: int) -> int:
    """Return how far above its line a text of `size` dots may print, in dots."""
    return math.ceil(size * OVERSHOOT)


@lru_cache(maxsize=64)
def line_height(size: int) -> int:
    """Return the height of a line (ascent plus descent) at `size` dots, in dots."""
    face = font(size)
    if isinstance(face, ImageFont.FreeTypeFont):
        ascent, descent = face.getmetrics()
        return int(ascent + descent)
    return round(size * 1.2)


def fit(text: str, size: int, room: int) -> tuple[str, float]:
    """Return the text and its horizontal scale so that it prints at most `room` dots wide.

    Longer text is condensed, down to MIN_SCALE; text still too long is cut and ends in CUT.
    """
    natural = width(text, size)
    if natural <= room:
        return text, 1.0
    if natural * MIN_SCALE <= room:
        return text, room / natural
    lo, hi = 0, len(text)
    while lo < hi:  # the longest head that, with CUT, fits at MIN_SCALE
        mid = (lo + hi + 1) // 2
        if width(text[:mid].rstrip() + CUT, size) * MIN_SCALE <= room:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo].rstrip() + CUT
    return cut, min(MIN_SCALE, room / width(cut, size))
