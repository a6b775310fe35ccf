"""Test oracles: rasterise ZPL (zplkit), PDF (pypdfium2) and PNG, then decode with zxing-cpp."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2
import zplkit
import zxingcpp
from PIL import Image


@dataclass(frozen=True)
class Decoded:
    """One decoded symbol: zxing format name, symbology identifier and raw text (GS kept)."""

    format: str
    identifier: str
    text: str


def decode(image: Image.Image) -> list[Decoded]:
    """Return every symbol zxing-cpp finds, raw text mode (GS1 separators as \\x1d)."""
    grey = image.convert("L")
    results = zxingcpp.read_barcodes(
        grey, text_mode=zxingcpp.TextMode.Plain, try_rotate=False, try_downscale=False
    )
    return [Decoded(r.format.name, r.symbology_identifier, r.text) for r in results]


def zpl_image(zpl: bytes, dpi: int) -> Image.Image:
    """Rasterise the first label of a ZPL stream with zplkit's ZD621 printer profile."""
    doc = zplkit.render(zpl, zplkit.Options(profile="zd621", dpi=dpi))
    return Image.open(io.BytesIO(doc.labels[0].png()))


def zpl_labels(zpl: bytes, dpi: int) -> int:
    """Return how many labels zplkit finds in a ZPL stream."""
    return len(zplkit.render(zpl, zplkit.Options(profile="zd621", dpi=dpi)).labels)


def pdf_images(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Rasterise every page of a PDF at the printer's dpi."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in doc]
    finally:
        doc.close()


def png_image(png: bytes) -> Image.Image:
    """Open PNG bytes."""
    return Image.open(io.BytesIO(png))


def decode_output(fmt: str, data: bytes, dpi: int) -> list[Decoded]:
    """Rasterise one label of any output format and decode it."""
    if fmt == "zpl":
        return decode(zpl_image(data, dpi))
    if fmt == "pdf":
        return decode(pdf_images(data, dpi)[0])
    return decode(png_image(data))
