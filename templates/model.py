"""The label template model (pydantic 2): size in mm, target dpi and elements placed in mm."""

from __future__ import annotations

from functools import cached_property
from os import PathLike
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from templates import gs1, placeholders
from templates.errors import TemplateError
from templates.hibc import SYMBOLOGIES as HIBC_SYMBOLOGIES
from templates.hibc import HibcFields
from templates.symbologies import SYMBOLOGIES, Symbology
from templates.units import DOTS_PER_MM

Mm = Annotated[float, Field(ge=0)]
# Symbologies whose data is a GTIN: on a label they stand for (01) in the GS1 message rules.
GTIN_SYMBOLOGIES = frozenset({"ean13", "upca", "itf14"})
PositiveMm = Annotated[float, Field(gt=0)]
# Symbologies that carry a GS1 Digital Link URI as plain data.
DIGITAL_LINK_SYMBOLOGIES = frozenset({"qr", "datamatrix"})


class _Element(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    x_mm: Mm
    y_mm: Mm


class TextElement(_Element):
    """A line of text; `value` may hold placeholders.

    With `width_mm`, longer text is condensed to that width (to 60 % at most), then cut,
    ending in "...", so it never runs into its neighbours.
    """

    type: Literal["text"]
    height_mm: PositiveMm
    value: str
    width_mm: PositiveMm | None = None
    _parts: tuple[placeholders.Part, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _compile(self) -> TextElement:
        self._parts = placeholders.parse(self.value)
        return self

    @property
    def parts(self) -> tuple[placeholders.Part, ...]:
        """Return the value as literal text and placeholders, in order."""
        return self._parts


class BarcodeElement(_Element):
    """A barcode; linear codes need `height_mm`; GS1 values are written `(AI)data…`.

    With `digital_link: true` a QR or Data Matrix symbol carries the value, written as GS1
    element strings, as the GS1 Digital Link URI under the service's Digital Link base. With
    `hibc` (and no `value`) it carries HIBC data built from those fields.
    """

    type: Literal["barcode"]
    symbology: str
    value: str = ""
    module_mm: PositiveMm
    height_mm: PositiveMm | None = None
    hri: bool = False
    hri_height_mm: PositiveMm = 2.5
    digital_link: bool = False
    hibc: HibcFields | None = None
    _parts: tuple[placeholders.Part, ...] = PrivateAttr(default=())
    _segments: tuple[gs1.Segment, ...] = PrivateAttr(default=())

    @field_validator("symbology")
    @classmethod
    def _known_symbology(cls, slug: str) -> str:
        if slug not in SYMBOLOGIES:
            raise ValueError(f"unknown symbology {slug!r}; use one of {', '.join(SYMBOLOGIES)}")
        return slug

    @model_validator(mode="after")
    def _compile(self) -> BarcodeElement:
        if not self.symbol.two_d and self.height_mm is None:
            raise ValueError(f"a {self.symbology} barcode needs height_mm")
        self._check_kind()
        if self.hibc is not None:
            self._parts = self.hibc.parts
        elif self.symbol.gs1 or self.digital_link:
            self._segments = gs1.parse_template(self.value)
            known = [(seg.ai, data) for seg in self._segments
                     if (data := gs1.literal(seg)) is not None]
            try:
                for ai, data in known:
                    gs1.validate(ai, data)
                if len(known) == len(self._segments):
                    gs1.check_elements(tuple(known))
            except TemplateError as exc:
                raise ValueError(exc.message) from None
        else:
            self._parts = placeholders.parse(self.value)
        return self

    def _check_kind(self) -> None:
        """Refuse a value that its symbology cannot carry as the element says."""
        if self.hibc is not None:
            if self.value or self.digital_link:
                raise ValueError("an HIBC barcode takes its data from hibc: give no value")
            if self.symbology not in HIBC_SYMBOLOGIES:
                raise ValueError(f"HIBC data goes in {', '.join(sorted(HIBC_SYMBOLOGIES))}, "
                                 f"not {self.symbology}")
        elif not self.value:
            raise ValueError("a barcode needs a value")
        if self.digital_link and self.symbology not in DIGITAL_LINK_SYMBOLOGIES:
            carriers = " or ".join(sorted(DIGITAL_LINK_SYMBOLOGIES))
            raise ValueError(f"a Digital Link goes in {carriers}, not {self.symbology}")

    @property
    def symbol(self) -> Symbology:
        """Return the registered symbology."""
        return SYMBOLOGIES[self.symbology]

    @property
    def parts(self) -> tuple[placeholders.Part, ...]:
        """Return a non-GS1 value as literal text and placeholders (empty for GS1; an HIBC
        element's fields)."""
        return self._parts

    @property
    def carried_ais(self) -> tuple[str, ...]:
        """The AIs this symbol carries: its element strings', or (01) for a GTIN symbology."""
        if self._segments:
            return tuple(seg.ai for seg in self._segments)
        return ("01",) if self.symbology in GTIN_SYMBOLOGIES else ()

    @property
    def segments(self) -> tuple[gs1.Segment, ...]:
        """Return a GS1 value's element strings, one per AI (empty for other symbologies)."""
        return self._segments


class BoxElement(_Element):
    """A rectangle outline (or a line when one side equals the thickness)."""

    type: Literal["box"]
    width_mm: PositiveMm
    height_mm: PositiveMm
    thickness_mm: PositiveMm = 0.25


class ImageElement(_Element):
    """A picture (PNG), by path relative to the template file or a `data:` URI."""

    type: Literal["image"]
    width_mm: PositiveMm
    height_mm: PositiveMm
    source: str


Element = Annotated[
    TextElement | BarcodeElement | BoxElement | ImageElement, Field(discriminator="type")
]


class Template(BaseModel):
    """A label template; validate with `Template.from_definition(dict, image_dir)`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    width_mm: PositiveMm
    height_mm: PositiveMm
    dpi: int = 203
    elements: list[Element]
    _base_dir: str | None = PrivateAttr(default=None)
    _layouts: dict[int, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def from_definition(
        cls, definition: Any, image_dir: str | PathLike[str] | None = None
    ) -> Template:
        """Validate a definition (ValidationError); image paths resolve inside `image_dir`."""
        template = cls.model_validate(definition)
        template._base_dir = None if image_dir is None else str(image_dir)
        return template

    @model_validator(mode="after")
    def _gs1_label_rules(self) -> Template:
        """Required and exclusive AIs hold over the label: all its GS1 symbols together."""
        carried = [(i, ai) for i, el in enumerate(self.elements)
                   if isinstance(el, BarcodeElement) for ai in el.carried_ais]
        problems = gs1.label_problems([ai for _, ai in carried])
        if problems:
            where = next((i for i, ai in carried if ai == problems[0].ai), carried[0][0])
            raise ValidationError.from_exception_data("Template", [InitErrorDetails(
                type=PydanticCustomError("gs1_label", problems[0].message),
                loc=("elements", where, "value"), input=self.elements[where])])
        return self

    @field_validator("dpi")
    @classmethod
    def _supported_dpi(cls, dpi: int) -> int:
        if dpi not in DOTS_PER_MM:
            raise ValueError(f"dpi {dpi} is not supported; use 203, 300 or 600")
        return dpi

    @cached_property
    def placeholders(self) -> frozenset[str]:
        """Return every placeholder path the template uses."""
        found: set[str] = set()
        for el in self.elements:
            parts: tuple[placeholders.Part, ...] = ()
            if isinstance(el, TextElement | BarcodeElement):
                parts = el._parts + tuple(p for s in getattr(el, "_segments", ()) for p in s.parts)
            found.update(p.path for p in parts if isinstance(p, placeholders.Placeholder))
        return frozenset(found)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Map a template ValidationError to `{"elements[2].symbology": "plain words"}`."""
    out: dict[str, str] = {}
    for err in exc.errors():
        key = ""
        loc: list[Any] = list(err["loc"])
        if len(loc) >= 3 and loc[0] == "elements" and isinstance(loc[1], int):
            if loc[2] in ("text", "barcode", "box", "image"):
                del loc[2]
        for item in loc:
            key += f"[{item}]" if isinstance(item, int) else (f".{item}" if key else str(item))
        message = str(err["msg"]).removeprefix("Value error, ")
        out.setdefault(key or "template", message)
    return out
