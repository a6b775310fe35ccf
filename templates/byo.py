"""Bring-your-own ZPL: a format from another designer with `{placeholder}`s in its `^FD` data."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image

from templates import placeholders
from templates.errors import TemplateError
from templates.escape import INDICATOR, hex_escape
from templates.placeholders import Part, Record
from templates.units import dots, dots_per_mm

# Field data runs to the next command: `^FD a^FH_^FDb^FS` is one field whose data is `b`,
# printed with `_` as its hex indicator.
_FIELD = re.compile(r"\^FD([^^]*)")
_FH = re.compile(r"\^FH([^^]?)")
_BARCODE = re.compile(r"\^B([A-Z0-9])([^\^~]*)")
_CI = re.compile(r"\^CI(\d+)")


@dataclass(frozen=True)
class _Field:
    start: int
    end: int
    prefix: str  # text inserted before ^FD (an added ^FH), or ""
    indicator: str
    barcode: str  # the ^B command letter of this field, or ""
    dm_escape: str
    parts: tuple[Part, ...]


class ZplTemplate:
    """A label template as a ZPL format, its `{value}`, `{fields.NAME}` … filled escaped."""

    def __init__(self, source: str, *, name: str | None = None, width_mm: float | None = None,
                 height_mm: float | None = None, dpi: int = 203) -> None:
        self.name = name
        self.width_mm = width_mm
        self.height_mm = height_mm
        self.dpi = dpi
        self.source = source if "^CI" in source else source.replace("^XA", "^XA^CI28")
        cis = set(_CI.findall(self.source))
        self.utf8 = cis == {"28"}
        self.fields: list[_Field] = []
        for m in _FIELD.finditer(self.source):
            try:
                parts = placeholders.parse(m.group(1))
            except ValueError as exc:
                raise TemplateError(str(exc), f"offset {m.start()}") from None
            if all(isinstance(p, str) for p in parts):
                continue
            # The commands of this field so far: everything since the last ^FS before it.
            field_head = self.source[self.source.rfind("^FS", 0, m.start()) + 1 : m.start()]
            fh = _FH.findall(field_head)
            barcode = _BARCODE.findall(field_head)
            letter, params = barcode[-1] if barcode else ("", "")
            dm_escape = "_"
            if letter == "X":
                given = params.split(",")
                dm_escape = given[6] if len(given) > 6 and given[6] else "_"
            indicator = (fh[-1] or "_") if fh else INDICATOR
            self.fields.append(_Field(m.start(1), m.end(1), "" if fh else "^FH" + INDICATOR,
                                      indicator, letter, dm_escape, parts))

    @property
    def placeholders(self) -> frozenset[str]:
        """Return the placeholder paths the format uses."""
        return frozenset(p.path for f in self.fields for p in f.parts
                         if isinstance(p, placeholders.Placeholder))

    def fill(self, record: Record) -> str:
        """Return the format with every placeholder filled and escaped for its field."""
        out: list[str] = []
        pos = 0
        for i, f in enumerate(self.fields):
            try:
                data = "".join(self._part(f, p, record) for p in f.parts)
            except TemplateError as exc:
                raise exc.at(f"fields[{i}]") from None
            out.append(self.source[pos : f.start - 3])
            out.append(f"{f.prefix}^FD{data}")
            pos = f.end
        out.append(self.source[pos:])
        return "".join(out)

    def _part(self, f: _Field, part: Part, record: Record) -> str:
        if isinstance(part, str):
            return part.replace(f.indicator, f"{f.indicator}{ord(f.indicator):02X}") \
                if f.prefix else part
        value = part.fill(record)
        if not value.isascii() and not self.utf8:
            raise TemplateError(f"{part.text} holds non-ASCII text but the format does not "
                                "select ^CI28 (UTF-8)")
        if f.barcode == "C":
            value = value.replace(">", ">0")
        elif f.barcode == "X":
            value = value.replace(f.dm_escape, f.dm_escape * 2)
        return hex_escape(value, f.indicator)

    def preview_png(self, record: Record, dpi: int | None = None) -> bytes:
        """Return a PNG of the filled first label (needs the optional `preview` extra, zplkit).

        With a declared size the image is exactly round(mm × dots/mm) on each side.
        """
        dpi = dpi or self.dpi
        if dpi != self.dpi:
            raise TemplateError(f"a ZPL format prints at the dpi it was made for ({self.dpi}), "
                                f"not {dpi}", "dpi")
        try:
            import zplkit
        except ImportError:
            raise TemplateError("previews need the optional 'preview' extra (zplkit)") from None
        try:
            doc = zplkit.render(self.fill(record), zplkit.Options(profile="zd621", dpi=dpi))
        except ValueError as exc:
            raise TemplateError(f"the format cannot be previewed: {exc}") from None
        if not doc.labels:
            raise TemplateError("the format holds no label (^XA … ^XZ)")
        png: bytes = doc.labels[0].png()
        if self.width_mm is None or self.height_mm is None:
            return png
        dpmm = dots_per_mm(dpi)
        size = (dots(self.width_mm, dpmm, 1), dots(self.height_mm, dpmm, 1))
        with Image.open(io.BytesIO(png)) as rendered:
            canvas = Image.new("1", size, 1)
            canvas.paste(rendered.convert("1"), (0, 0))
        out = io.BytesIO()
        canvas.save(out, "PNG", dpi=(dpi, dpi), compress_level=1)
        return out.getvalue()
