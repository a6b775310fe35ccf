"""Resolve a template for one record at one dpi into drawing operations in whole printer dots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from templates import gs1, images, placeholders
from templates.errors import TemplateError
from templates.model import BarcodeElement, BoxElement, ImageElement, Template, TextElement
from templates.placeholders import Record
from templates.symbologies import Symbology
from templates.units import dots, dots_per_mm

HRI_GAP_MM = 0.5


@dataclass(frozen=True, slots=True)
class Text:
    """A line of text; (x, y) is the top-left corner, h the cap height, all in dots."""

    x: int
    y: int
    h: int
    text: str


@dataclass(frozen=True, slots=True)
class Barcode:
    """A symbol at (x, y) (top-left of the first bar), module and bar height in dots."""

    x: int
    y: int
    module: int
    height: int
    symbology: Symbology
    data: str
    index: int


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle outline in dots."""

    x: int
    y: int
    w: int
    h: int
    t: int


@dataclass(frozen=True, slots=True)
class Picture:
    """A 1-bit picture already scaled to w×h dots."""

    x: int
    y: int
    image: Image.Image
    index: int


Op = Text | Barcode | Box | Picture
Step = Callable[[Record], list[Op]]


class Layout:
    """A template compiled for one dpi: `ops(record)` gives the label's operations."""

    def __init__(self, template: Template, dpi: int) -> None:
        self.template = template
        self.dpi = dpi
        self.dpmm = dots_per_mm(dpi)
        self.width = dots(template.width_mm, self.dpmm, 1)
        self.height = dots(template.height_mm, self.dpmm, 1)
        self.steps: list[tuple[int, Step]] = []
        for i, el in enumerate(template.elements):
            if isinstance(el, TextElement):
                self._text(i, el)
            elif isinstance(el, BarcodeElement):
                self.steps.append((i, self._barcode(i, el)))
            elif isinstance(el, BoxElement):
                self._add(i, Box(*self._xy(el), dots(el.width_mm, self.dpmm, 1),
                                 dots(el.height_mm, self.dpmm, 1),
                                 dots(el.thickness_mm, self.dpmm, 1)))
            elif isinstance(el, ImageElement):
                self._add(i, self._picture(i, el))

    def ops(self, record: Record) -> list[Op]:
        """Return the label's operations in template order; TemplateError names the element."""
        out: list[Op] = []
        for i, step in self.steps:
            try:
                out.extend(step(record))
            except TemplateError as exc:
                raise exc.at(f"elements[{i}]") from None
        return out

    def _xy(self, el: TextElement | BarcodeElement | BoxElement | ImageElement) -> tuple[int, int]:
        return dots(el.x_mm, self.dpmm), dots(el.y_mm, self.dpmm)

    def _add(self, i: int, op: Op) -> None:
        self.steps.append((i, lambda record: [op]))

    def _text(self, i: int, el: TextElement) -> None:
        x, y = self._xy(el)
        h = dots(el.height_mm, self.dpmm, 1)
        parts = el._parts
        if all(isinstance(p, str) for p in parts):
            self._add(i, Text(x, y, h, placeholders.fill(parts, {})))
            return
        self.steps.append((i, lambda record: [Text(x, y, h, placeholders.fill(parts, record))]))

    def _picture(self, i: int, el: ImageElement) -> Picture:
        w, h = dots(el.width_mm, self.dpmm, 1), dots(el.height_mm, self.dpmm, 1)
        try:
            image = images.load(el.source, self.template._base_dir, (w, h))
        except TemplateError as exc:
            raise exc.at(f"elements[{i}]") from None
        return Picture(*self._xy(el), image, i)

    def _barcode(self, i: int, el: BarcodeElement) -> Step:
        x, y = self._xy(el)
        symbology = el.symbol
        module = dots(el.module_mm, self.dpmm, 1)
        bar_height = dots(el.height_mm or 0, self.dpmm, 1)
        hri_h = dots(el.hri_height_mm, self.dpmm, 1)
        gap = dots(HRI_GAP_MM, self.dpmm, 1)
        segments, parts = el._segments, el._parts
        fit = self._fit_check(x, y, module, bar_height, symbology)

        def step(record: Record) -> list[Op]:
            if segments:
                elements = gs1.fill(segments, record)
                data, hri = symbology.prepare(gs1.element_string(elements)), gs1.hri(elements)
            else:
                data = hri = symbology.prepare(placeholders.fill(parts, record))
            height = fit(data)
            ops: list[Op] = [Barcode(x, y, module, height, symbology, data, i)]
            if el.hri:
                ops.append(Text(x, y + height + gap, hri_h, hri))
            return ops

        return step

    def _fit_check(
        self, x: int, y: int, module: int, bar_height: int, symbology: Symbology
    ) -> Callable[[str], int]:
        quiet = symbology.quiet * module
        label_w, label_h, dpmm = self.width, self.height, self.dpmm

        def fit(data: str) -> int:
            w, h = symbology.size(data)
            height = h * module if h else bar_height
            v_quiet = quiet if h else 0
            right, bottom = x + w * module + quiet, y + height + v_quiet
            if x - quiet < 0 or right > label_w:
                raise TemplateError(
                    f"the {symbology.slug} symbol with its quiet zones spans "
                    f"{(x - quiet) / dpmm:.1f} to {right / dpmm:.1f} mm across, outside the "
                    f"label's {label_w / dpmm:.1f} mm; use a smaller module or shorter data")
            if y - v_quiet < 0 or bottom > label_h:
                raise TemplateError(
                    f"the {symbology.slug} symbol with its quiet zones spans "
                    f"{(y - v_quiet) / dpmm:.1f} to {bottom / dpmm:.1f} mm down, outside the "
                    f"label's {label_h / dpmm:.1f} mm; use a smaller module or shorter data")
            return height

        return fit


def layout(template: Template, dpi: int | None = None) -> Layout:
    """Return the compiled layout of a template at a dpi (the template's own by default)."""
    dpi = dpi or template.dpi
    cache = template._layouts
    if dpi not in cache:
        cache[dpi] = Layout(template, dpi)
    found: Layout = cache[dpi]
    return found
