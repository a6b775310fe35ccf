"""Every shipped template fits the widest record of every scheme it prints, at 203 and 300 dpi:
each element inside the label's margins, each symbol with its quiet zones on the label, no text
over another element or in a quiet zone, identifiers printed whole; and what the renderers
draw stays inside the areas the layout reports."""

from __future__ import annotations

import pypdfium2
import pytest
from decoding import png_image, zpl_image
from PIL import Image, ImageChops, ImageDraw
from widest_records import CONDENSE_ALLOWED, CUT_ALLOWED, PAIRS, cases, record

from templates import Template, TemplateError, placeholders, render_bytes, shipped_templates
from templates.layout import Area, Barcode, Layout, Placed, Text, layout
from templates.model import TextElement
from templates.units import dots

TEMPLATES = shipped_templates()
MARGIN_MM = 1.0  # no ink closer to the label's edge: die-cut and feed tolerance
DPIS = (203, 300)


def test_every_shipped_template_is_paired_with_a_scheme() -> None:
    assert set(PAIRS) == set(TEMPLATES)


def _mm(plan: Layout, area: Area) -> str:
    d = plan.dpmm
    return f"{area.x / d:.1f}–{area.right / d:.1f} × {area.y / d:.1f}–{area.bottom / d:.1f} mm"


def _name(plan: Layout, p: Placed) -> str:
    kind = type(p.op).__name__.lower()
    return f"elements[{p.element}] ({kind} {_mm(plan, p.clear)})"


def _paths(element: object) -> set[str]:
    parts = element.parts if isinstance(element, TextElement) else ()
    return {p.path for p in parts if isinstance(p, placeholders.Placeholder)}


def problems(template: Template, rec: dict[str, object], dpi: int) -> list[str]:
    """Say every way the label of this record does not fit."""
    plan = layout(template, dpi)
    try:
        found = plan.placed(rec)
    except TemplateError as exc:
        return [f"the label cannot be rendered: {exc}"]
    margin = dots(MARGIN_MM, plan.dpmm)
    printable = Area(margin, margin, plan.width - 2 * margin, plan.height - 2 * margin)
    out: list[str] = []
    for p in found:
        if not all(a.within(printable) for a in p.ink):
            out.append(f"{_name(plan, p)} is not within the {MARGIN_MM} mm margins")
        if isinstance(p.op, Barcode) and not p.clear.within(plan.area):
            out.append(f"{_name(plan, p)}: its quiet zones leave the label")
    for i, p in enumerate(found):
        for q in found[i + 1:]:
            texts = isinstance(p.op, Text) or isinstance(q.op, Text)
            if texts and any(a.overlaps(b) for a in p.ink for b in q.ink):
                out.append(f"{_name(plan, p)} and {_name(plan, q)} overlap")
            for s, o in ((p, q), (q, p)):
                if isinstance(s.op, Barcode) and any(a.overlaps(s.clear) for a in o.ink):
                    out.append(f"{_name(plan, o)} is inside the quiet zone of {_name(plan, s)}")
    for p in found:
        if not isinstance(p.op, Text):
            continue
        element = template.elements[p.element]
        paths = _paths(element)
        if isinstance(element, TextElement):
            whole = placeholders.fill(element.parts, rec)
        else:  # a symbol's human-readable text
            whole = p.op.text
        if p.op.text != whole and not (paths and paths <= CUT_ALLOWED):
            out.append(f"{_name(plan, p)} is cut: {p.op.text!r}")
        if p.op.scale != 1 and not (paths and paths <= CONDENSE_ALLOWED):
            out.append(f"{_name(plan, p)} is condensed to {p.op.scale:.0%}")
    return out


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize(("name", "scheme"), cases())
def test_shipped_template_fits_the_widest_record(name: str, scheme: str, dpi: int) -> None:
    assert problems(TEMPLATES[name], record(name, scheme), dpi) == []


def test_the_check_finds_overlaps_margins_and_quiet_zones() -> None:
    t = Template.model_validate({"name": "t", "width_mm": 50, "height_mm": 20, "elements": [
        {"type": "text", "x_mm": 0.5, "y_mm": 2, "height_mm": 3, "value": "{value}"},
        {"type": "text", "x_mm": 10, "y_mm": 3, "height_mm": 3, "value": "B"},
        {"type": "barcode", "symbology": "code128", "x_mm": 6, "y_mm": 8, "height_mm": 5,
         "module_mm": 0.25, "value": "{value}"},
        {"type": "box", "x_mm": 4.5, "y_mm": 8, "width_mm": 0.25, "height_mm": 5},
    ]})
    found = problems(t, {"value": "WWWWWW"}, 203)
    assert any("elements[0]" in p and "margins" in p for p in found)
    assert any("elements[0]" in p and "elements[1]" in p and "overlap" in p for p in found)
    assert any("elements[3]" in p and "quiet zone of elements[2]" in p for p in found)


def _pdf_dots(pdf: bytes, plan: Layout) -> Image.Image:
    """Rasterise the first page on the printer's dot grid (8 or 12 dots per mm)."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return doc[0].render(scale=plan.dpmm * 25.4 / 72).to_pil()
    finally:
        doc.close()


def _dark(image: Image.Image) -> Image.Image:
    return image.convert("L").point(lambda v: 255 if v < 128 else 0, mode="L")


@pytest.mark.parametrize("fmt", ["zpl", "pdf", "png"])
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_what_is_drawn_stays_inside_the_reported_areas(name: str, dpi: int, fmt: str) -> None:
    template = TEMPLATES[name]
    rec = record(name, PAIRS[name][0], latin=fmt == "zpl")
    plan = layout(template, dpi)
    out = render_bytes(template, [rec], fmt, dpi)  # type: ignore[arg-type]
    image = {"zpl": lambda: zpl_image(out, dpi), "pdf": lambda: _pdf_dots(out, plan),
             "png": lambda: png_image(out)}[fmt]()
    if fmt == "pdf":  # the page is the label's size in mm: a part of a dot more or less
        page, image = image, Image.new("RGB", (plan.width, plan.height), "white")
        image.paste(page.crop((0, 0, plan.width, plan.height)))
    assert image.size == (plan.width, plan.height)
    allowed = Image.new("L", image.size, 255)
    draw = ImageDraw.Draw(allowed)
    for p in plan.placed(rec):
        for a in p.ink:
            draw.rectangle((a.x - 1, a.y - 1, a.right, a.bottom), fill=0)
    stray = ImageChops.multiply(_dark(image), allowed).getbbox()
    assert stray is None, f"ink outside every element at {stray} (dots)"
