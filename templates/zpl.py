"""ZPL output: one `^XA … ^XZ` format per label, `^CI28`, native barcodes or `^GF` bitmaps."""

from __future__ import annotations

import math

from PIL import Image

from templates.escape import field
from templates.layout import Barcode, Box, Layout, Op, Picture, Text
from templates.raster import symbol_image


def label(layout: Layout, ops: list[Op]) -> str:
    """Return the ZPL format for one label."""
    out = [f"^XA^CI28^PW{layout.width}^LL{layout.height}^LH0,0"]
    for op in ops:
        if isinstance(op, Text):
            wide = op.h if op.scale == 1 else max(1, math.floor(op.h * op.scale))
            out.append(f"^FO{op.x},{op.y}^A0N,{op.h},{wide}{field(op.text)}")
        elif isinstance(op, Barcode):
            out.append(f"^FO{op.x},{op.y}{barcode(op)}")
        elif isinstance(op, Box):
            out.append(f"^FO{op.x},{op.y}^GB{op.w},{op.h},{op.t},B,0^FS")
        elif isinstance(op, Picture):
            out.append(f"^FO{op.x},{op.y}{graphic(op.image)}")
    out.append("^XZ\n")
    return "".join(out)


def barcode(op: Barcode) -> str:
    """Return the native barcode command, or a whole-dot `^GF` bitmap of our own symbol."""
    native = op.symbology.zpl(op.data, op.module, op.height)
    if native is not None:
        return native
    return graphic(symbol_image(op))


def graphic(img: Image.Image) -> str:
    """Return `^GFA` hex data for a 1-bit image (black pixels print)."""
    inverted = img.point(lambda v: 0 if v else 255, mode="1")
    bytes_per_row = (img.width + 7) // 8
    data = inverted.tobytes()
    total = bytes_per_row * img.height
    return f"^GFA,{total},{total},{bytes_per_row},{data.hex().upper()}^FS"
