"""Resolve a template for one record at one dpi into drawing operations in whole printer dots."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from templates import gs1, images, placeholders, text
from templates.errors import TemplateError
from templates.model import BarcodeElement, BoxElement, ImageElement, Template, TextElement
from templates.placeholders import Record
from templates.symbologies import Symbology
from templates.units import dots, dots_per_mm

HRI_GAP_MM = 0.5


@dataclass(frozen=True, slots=True)
class Text:
    """A line of text: (x, y) is the top of the line, h the font size, in dots.

    `scale` below 1 condenses the text horizontally (text fitted to its element's width).
    """

    x: int
    y: int
    h: int
    text: str
    scale: float = 1.0


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


@dataclass(frozen=True, slots=True)
class Area:
    """A rectangle in dots: (x, y) its top-left corner."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        """The first column past the area."""
        return self.x + self.w

    @property
    def bottom(self) -> int:
        """The first row below the area."""
        return self.y + self.h

    def overlaps(self, other: Area) -> bool:
        """True when the two areas share at least one dot."""
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)

    def within(self, other: Area) -> bool:
        """True when every dot of this area lies in `other`."""
        return (other.x <= self.x and self.right <= other.right
                and other.y <= self.y and self.bottom <= other.bottom)


@dataclass(frozen=True, slots=True)
class Placed:
    """One operation of a label with the template element it comes from and where it prints.

    `ink` holds the areas it may darken (a text's box from the font metrics it is drawn with,
    a symbol's bars, a box's four sides); `clear` is the area it needs to itself: its ink and,
    for a symbol, its quiet zones.
    """

    element: int
    op: Op
    ink: tuple[Area, ...]
    clear: Area


def text_area(op: Text) -> Area:
    """Return the box a line of text prints in: its advance width by its fonts' line height."""
    top, bottom = text.extent(op.text, op.h)
    return Area(op.x, op.y + top, math.ceil(text.width(op.text, op.h) * op.scale), bottom - top)


def symbol_areas(op: Barcode) -> tuple[Area, Area]:
    """Return the symbol's bars (or modules) and the same area with its quiet zones."""
    w, h = op.symbology.size(op.data)
    return _symbol_areas(op, w * op.module, bool(h))


def _symbol_areas(op: Barcode, w: int, two_d: bool) -> tuple[Area, Area]:
    quiet = op.symbology.quiet * op.module
    v_quiet = quiet if two_d else 0
    bars = Area(op.x, op.y, w, op.height)
    return bars, Area(op.x - quiet, op.y - v_quiet, w + 2 * quiet, op.height + 2 * v_quiet)


def box_sides(op: Box) -> tuple[Area, ...]:
    """Return the areas a box outline darkens: its four sides, or one area for a line."""
    if op.w <= 2 * op.t or op.h <= 2 * op.t:
        return (Area(op.x, op.y, op.w, op.h),)
    x, y, w, h, t = op.x, op.y, op.w, op.h, op.t
    return (Area(x, y, w, t), Area(x, y + h - t, w, t),
            Area(x, y + t, t, h - 2 * t), Area(x + w - t, y + t, t, h - 2 * t))


def placed(element: int, op: Op) -> Placed:
    """Return an operation with where it prints and what it keeps clear."""
    if isinstance(op, Text):
        area = text_area(op)
        return Placed(element, op, (area,), area)
    if isinstance(op, Barcode):
        bars, clear = symbol_areas(op)
        return Placed(element, op, (bars,), clear)
    if isinstance(op, Box):
        return Placed(element, op, box_sides(op), Area(op.x, op.y, op.w, op.h))
    area = Area(op.x, op.y, op.image.width, op.image.height)
    return Placed(element, op, (area,), area)


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

    def placed(self, record: Record) -> list[Placed]:
        """Return the label's operations with their elements and areas, for fit checks."""
        out: list[Placed] = []
        for i, step in self.steps:
            try:
                out.extend(placed(i, op) for op in step(record))
            except TemplateError as exc:
                raise exc.at(f"elements[{i}]") from None
        return out

    @property
    def area(self) -> Area:
        """Return the whole label as an area."""
        return Area(0, 0, self.width, self.height)

    def _xy(self, el: TextElement | BarcodeElement | BoxElement | ImageElement) -> tuple[int, int]:
        return dots(el.x_mm, self.dpmm), dots(el.y_mm, self.dpmm)

    def _add(self, i: int, op: Op) -> None:
        self.steps.append((i, lambda record: [op]))

    def _text(self, i: int, el: TextElement) -> None:
        x, y = self._xy(el)
        h = dots(el.height_mm, self.dpmm, 1)
        parts = el._parts
        room = None if el.width_mm is None else dots(el.width_mm, self.dpmm, 1)

        def line(value: str) -> Text:
            return Text(x, y, h, *text.fit(value, h, room)) if room else Text(x, y, h, value)

        if all(isinstance(p, str) for p in parts):
            self._add(i, line(placeholders.fill(parts, {})))
            return
        self.steps.append((i, lambda record: [line(placeholders.fill(parts, record))]))

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

        def step(record: Record) -> list[Op]:
            if el.hibc is not None:
                data = hri = symbology.prepare(el.hibc.text(record))
            elif el.digital_link:
                data = hri = symbology.prepare(gs1.digital_link_uri(gs1.fill(segments, record),
                                                                    record))
            elif segments:
                elements = gs1.fill(segments, record)
                data, hri = symbology.prepare(gs1.element_string(elements)), gs1.hri(elements)
            else:
                data = hri = symbology.prepare(placeholders.fill(parts, record))
            w, h = symbology.size(data)
            op = Barcode(x, y, module, h * module if h else bar_height, symbology, data, i)
            self._check_fits(op, w * module, bool(h))
            ops: list[Op] = [op]
            if el.hri:
                ops.append(Text(x, y + op.height + gap, hri_h, hri))
            return ops

        return step

    def _check_fits(self, op: Barcode, w: int, two_d: bool) -> None:
        """Raise TemplateError when the symbol with its quiet zones leaves the label."""
        _, clear = _symbol_areas(op, w, two_d)
        dpmm, slug = self.dpmm, op.symbology.slug
        if clear.x < 0 or clear.right > self.width:
            raise TemplateError(
                f"the {slug} symbol with its quiet zones spans "
                f"{clear.x / dpmm:.1f} to {clear.right / dpmm:.1f} mm across, outside the "
                f"label's {self.width / dpmm:.1f} mm; use a smaller module or shorter data")
        if clear.y < 0 or clear.bottom > self.height:
            raise TemplateError(
                f"the {slug} symbol with its quiet zones spans "
                f"{clear.y / dpmm:.1f} to {clear.bottom / dpmm:.1f} mm down, outside the "
                f"label's {self.height / dpmm:.1f} mm; use a smaller module or shorter data")


def layout(template: Template, dpi: int | None = None) -> Layout:
    """Return the compiled layout of a template at a dpi (the template's own by default)."""
    dpi = dpi or template.dpi
    cache = template._layouts
    if dpi not in cache:
        cache[dpi] = Layout(template, dpi)
    found: Layout = cache[dpi]
    return found
