"""Raster output: symbols and whole labels as 1-bit images in printer dots; PNG with dpi."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from templates.layout import Barcode, Box, Layout, Op, Picture, Text
from templates.text import font, line_height, width


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


def _condensed(op: Text) -> Image.Image:
    """Return the mask of condensed text (1 where it prints), its width scaled."""
    natural = math.ceil(width(op.text, op.h))
    line = Image.new("L", (natural, line_height(op.h)), 0)
    ImageDraw.Draw(line).text((0, 0), op.text, fill=255, font=font(op.h))
    room = max(1, math.floor(natural * op.scale))
    return line.resize((room, line.height), Image.Resampling.BOX).point(
        lambda v: 255 if v >= 128 else 0, mode="1")


def label_image(layout: Layout, ops: list[Op]) -> Image.Image:
    """Return the label as a 1-bit image of layout.width × layout.height dots."""
    img = Image.new("1", (layout.width, layout.height), 1)
    draw = ImageDraw.Draw(img)
    for op in ops:
        if isinstance(op, Barcode):
            img.paste(symbol_image(op), (op.x, op.y))
        elif isinstance(op, Text) and op.scale < 1:
            img.paste(0, (op.x, op.y), _condensed(op))
        elif isinstance(op, Text):
            draw.text((op.x, op.y), op.text, fill=0, font=font(op.h))
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
