"""Text prints in PDF and PNG with the shipped fonts: non-Latin names as in ZPL, extractable
from the PDF, and the same glyphs in the same places in both."""

from __future__ import annotations

import re
import zlib

import pypdfium2
import pytest
from decoding import png_image
from label_records import RECORDS
from PIL import Image, ImageChops

from templates import Template, render_bytes, shipped_templates
from templates.layout import Text, layout, text_area
from templates.text import FACES, PRIMARY, runs

NAMES = ["Łódź", "東京", "Grüße", "Αθήνα", "Москва", "ひらがな", "서울"]
MISSING = "\ue000"  # a private-use character no shipped font has


def _label(value: str, dpi: int = 203) -> Template:
    return Template.model_validate({"name": "t", "width_mm": 60, "height_mm": 15, "dpi": dpi,
                                    "elements": [{"type": "text", "x_mm": 2, "y_mm": 2,
                                                  "height_mm": 5, "value": value}]})


def _pdf_pages(pdf: bytes, dpmm: int) -> tuple[list[str], list[Image.Image]]:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        texts = [page.get_textpage().get_text_range() for page in doc]
        images = [page.render(scale=dpmm * 25.4 / 72).to_pil() for page in doc]
        return texts, images
    finally:
        doc.close()


def _ink(image: Image.Image) -> Image.Image:
    return image.convert("L").point(lambda v: 255 if v < 128 else 0)


def test_every_character_of_the_names_has_a_glyph() -> None:
    for name in NAMES:
        assert all(0 not in run.glyphs for run in runs(name)), name
    assert runs("東京")[0].face is FACES[1] and runs("Łódź")[0].face is PRIMARY
    assert runs(MISSING)[0].glyphs == (0,)


@pytest.mark.parametrize("dpi", [203, 300])
def test_non_latin_text_is_extracted_from_the_pdf(dpi: int) -> None:
    t = _label("{attributes.supplier}", dpi)
    records = [{"attributes": {"supplier": name}} for name in NAMES]
    pdf = render_bytes(t, records, "pdf", dpi)
    texts, _ = _pdf_pages(pdf, layout(t, dpi).dpmm)
    assert texts == NAMES
    assert pdf.count(b"/FontFile2") == 2 and pdf.count(b"/ToUnicode") == 2  # one subset each


@pytest.mark.parametrize("fmt", ["pdf", "png"])
@pytest.mark.parametrize("name", NAMES)
def test_non_latin_text_prints_its_glyphs(name: str, fmt: str) -> None:
    def drawn(text: str) -> Image.Image:
        out = render_bytes(_label(text), [{}], fmt)  # type: ignore[arg-type]
        return _ink(png_image(out) if fmt == "png" else _pdf_pages(out, 8)[1][0])

    printed = drawn(name)
    for stand_in in ("?" * len(name), MISSING * len(name)):
        assert ImageChops.difference(printed, drawn(stand_in)).getbbox() is not None


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", sorted(RECORDS))
def test_pdf_and_png_print_the_same_text_in_the_same_place(name: str, dpi: int) -> None:
    template = shipped_templates()[name]
    plan = layout(template, dpi)
    texts = [op for op in plan.ops(RECORDS[name]) if isinstance(op, Text)]
    pdf = render_bytes(template, [RECORDS[name]], "pdf", dpi)
    extracted, pages = _pdf_pages(pdf, plan.dpmm)
    assert extracted[0].split("\r\n") == ([op.text for op in texts] or [""])
    assert pdf.count(b"/FontFile2") == (1 if texts else 0)  # ASCII: the primary font alone
    png = _ink(png_image(render_bytes(template, [RECORDS[name]], "png", dpi)))
    in_pdf = _ink(pages[0])
    for op in texts:
        a = text_area(op)
        box = (a.x, a.y, a.right, a.bottom)
        png_ink, pdf_ink = png.crop(box).getbbox(), in_pdf.crop(box).getbbox()
        assert png_ink and pdf_ink
        assert all(abs(p - q) <= 2 for p, q in zip(png_ink, pdf_ink, strict=True)), op.text


def test_ascii_documents_share_one_font_subset() -> None:
    t = _label("{value}")
    one = render_bytes(t, [{"value": "A-1"}], "pdf")
    other = render_bytes(t, [{"value": "zz 99"}], "pdf")
    fonts = [re.search(rb"/FontFile2 (\d+) 0 R", pdf) for pdf in (one, other)]
    assert all(fonts)
    streams = [_stream(pdf, int(m.group(1))) for pdf, m in zip((one, other), fonts, strict=True)
               if m is not None]
    assert streams[0] == streams[1]


def _stream(pdf: bytes, number: int) -> bytes:
    found = re.search(rb"\n%d 0 obj\n<<.*?>>\nstream\n" % number, pdf, re.S)
    assert found
    length = int(re.search(rb"/Length (\d+)", found.group(0)).group(1))  # type: ignore[union-attr]
    return zlib.decompress(pdf[found.end() : found.end() + length])
