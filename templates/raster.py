"""Raster output: symbols and whole labels as 1-bit images in printer dots; PNG with dpi."""

from __future__ import annotations

import io
import math
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont, features

from templates.layout import Barcode, Box, Layout, Op, Picture, Text
from templates.text import Face, baseline, extent, runs, width

# Glyphs go where the PDF puts them: at their advance widths, without kerning (Raqm can
# switch kerning off; Pillow's basic layout differs from it by well under 1 %).
_RAQM = features.check_feature("raqm")
_UNKERNED: dict[str, Any] = {"features": ["-kern"]} if _RAQM else {}


def symbol_image(op: Barcode) -> Image.Image:
    """Return the symbol without quiet zones as a 1-bit image (module = op.module dots)."""
    symbol = op.symbology.encode(op.data)
    m = op.module
    height = op.height if symbol.linear else len(symbol.rows) * m
    modules = Image.frombytes(
        "L", (symbol.width, len(symbol.rows)),
        "".join(symbol.rows).translate(_GREY).encode("latin-1"),
    )
    return modules.resize((symbol.width * m, height), Image.Resampling.NEAREST).convert("1")


_GREY = str.maketrans({"1": "\x00", "0": "\xff"})


@lru_cache(maxsize=64)
def font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    """Return a shipped font at `size` pixels."""
    engine = ImageFont.Layout.RAQM if _RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(face.path), size, layout_engine=engine)


def draw_line(draw: ImageDraw.ImageDraw, x: int, y: int, line: str, size: int, fill: int) -> None:
    """Draw a line of text whose top is at y, run by run in the shipped fonts."""
    at, base = float(x), y + baseline(size)
    for run in runs(line):
        draw.text((at, base), run.text, fill=fill, font=font(run.face, size), anchor="ls",
                  **_UNKERNED)
        at += run.advance * size


def _condensed(op: Text) -> tuple[Image.Image, int]:
    """Return the mask of condensed text (1 where it prints), its width scaled, and its top."""
    top, bottom = extent(op.text, op.h)
    line = Image.new("L", (math.ceil(width(op.text, op.h)), bottom - top), 0)
    draw_line(ImageDraw.Draw(line), 0, -top, op.text, op.h, 255)
    room = max(1, math.floor(line.width * op.scale))
    mask = line.resize((room, line.height), Image.Resampling.BOX)
    return mask.point(lambda v: 255 if v >= 128 else 0, mode="1"), top


def label_image(layout: Layout, ops: list[Op]) -> Image.Image:
    """Return the label as a 1-bit image of layout.width × layout.height dots."""
    img = Image.new("1", (layout.width, layout.height), 1)
    draw = ImageDraw.Draw(img)
    for op in ops:
        if isinstance(op, Barcode):
            img.paste(symbol_image(op), (op.x, op.y))
        elif isinstance(op, Text) and op.scale < 1:
            mask, top = _condensed(op)
            img.paste(0, (op.x, op.y + top), mask)
        elif isinstance(op, Text):
            draw_line(draw, op.x, op.y, op.text, op.h, 0)
        elif isinstance(op, Box):
            draw.rectangle((op.x, op.y, op.x + op.w - 1, op.y + op.h - 1), outline=0, width=op.t)
        elif isinstance(op, Picture):
            img.paste(op.image, (op.x, op.y))
    return img


def png(layout: Layout, ops: list[Op]) -> bytes:
    """Return the label as PNG bytes with the dpi stored in the file."""
    buf = io.BytesIO()
    label_image(layout, ops).save(buf, "PNG", dpi=(layout.dpi, layout.dpi), compress_level=1)
    return buf.getvalue()
