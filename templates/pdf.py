"""Streaming vector PDF: one page of the label's size per label, drawn on the printer's dot grid.

Pages are written as they are rendered and only their byte offsets are kept, so a 100,000-label
document needs little memory. Barcodes are one filled path each; text is drawn with the shipped
fonts, embedded as subsets after the last page (`pdffont`), at the positions PNG draws it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from templates.layout import Barcode, Box, Layout, Op, Picture, Text
from templates.pdffont import DocumentFonts
from templates.pdffont import pdf_number as _num
from templates.text import baseline
from templates.units import MM_PER_POINT

CATALOG, PAGES = 1, 2


def content(layout: Layout, ops: list[Op], images: dict[int, int], fonts: DocumentFonts
            ) -> bytes:
    """Return the page's content stream: dot units, y downwards from the top-left corner."""
    scale = 1 / (MM_PER_POINT * layout.dpmm)
    page_h = layout.template.height_mm / MM_PER_POINT
    out: list[bytes] = [f"{_num(scale)} 0 0 {_num(-scale)} 0 {_num(page_h)} cm\n".encode()]
    for op in ops:
        if isinstance(op, Barcode):
            out.append(_barcode_path(op))
        elif isinstance(op, Text):
            wide = b"%d" % op.h if op.scale == 1 else _num(op.h * op.scale).encode()
            matrix = (wide, -op.h, op.x, op.y + baseline(op.h), fonts.show(op.text))
            out.append(b"BT %s 0 0 %d %d %d Tm %s ET\n" % matrix)
        elif isinstance(op, Box):
            out.append(_box_path(op))
        elif isinstance(op, Picture):
            out.append(b"q %d 0 0 %d %d %d cm /Im%d Do Q\n"
                       % (op.image.width, -op.image.height, op.x, op.y + op.image.height, op.index))
    return b"".join(out)


def _barcode_path(op: Barcode) -> bytes:
    symbol = op.symbology.encode(op.data)
    m, x0, y0 = op.module, op.x, op.y
    if symbol.linear:
        rects = [f"{x0 + s * m} {y0} {n * m} {op.height} re" for _, s, n in symbol.runs()]
    else:
        rects = [f"{x0 + s * m} {y0 + r * m} {n * m} {m} re" for r, s, n in symbol.runs()]
    return ("\n".join(rects) + "\nf\n").encode()


def _box_path(op: Box) -> bytes:
    outer = f"{op.x} {op.y} {op.w} {op.h} re"
    if op.w <= 2 * op.t or op.h <= 2 * op.t:
        return f"{outer} f\n".encode()
    inner = f"{op.x + op.t} {op.y + op.t} {op.w - 2 * op.t} {op.h - 2 * op.t} re"
    return f"{outer} {inner} f*\n".encode()


class _Writer:
    """Numbered PDF objects written in order, remembering only their offsets."""

    def __init__(self) -> None:
        self.offsets: dict[int, int] = {}
        self.position = 0
        self.next_id = PAGES + 1

    def obj(self, number: int, body: bytes) -> bytes:
        self.offsets[number] = self.position
        chunk = b"%d 0 obj\n" % number + body + b"\nendobj\n"
        self.position += len(chunk)
        return chunk

    def stream(self, number: int, data: bytes, extra: bytes = b"") -> bytes:
        return self.packed(number, zlib.compress(data, 6), extra)

    def packed(self, number: int, packed: bytes, extra: bytes = b"") -> bytes:
        head = b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra)
        return self.obj(number, head + packed + b"\nendstream")

    def new(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def raw(self, data: bytes) -> bytes:
        self.position += len(data)
        return data


def document(layout: Layout, labels: Iterable[list[Op]]) -> Iterator[bytes]:
    """Yield a PDF with one page per label, as it is rendered."""
    w = _Writer()
    yield w.raw(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    fonts = DocumentFonts(w.new)
    media = f"[0 0 {_num(layout.template.width_mm / MM_PER_POINT)} " \
            f"{_num(layout.template.height_mm / MM_PER_POINT)}]".encode()
    images: dict[int, int] = {}
    kids: list[int] = []
    for ops in labels:
        for op in ops:
            if isinstance(op, Picture) and op.index not in images:
                images[op.index] = w.new()
                yield w.stream(
                    images[op.index], op.image.tobytes(),
                    b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 1 " % (op.image.width, op.image.height))
        stream_id, page_id = w.new(), w.new()
        yield w.stream(stream_id, content(layout, ops, images, fonts))
        xobjects = b"".join(b"/Im%d %d 0 R " % item for item in images.items())
        yield w.obj(page_id, b"<< /Type /Page /Parent %d 0 R /MediaBox %s /Contents %d 0 R "
                             b"/Resources << /Font << %s>> /XObject << %s>> >> >>"
                    % (PAGES, media, stream_id, fonts.resources(), xobjects))
        kids.append(page_id)
    for number, body, data in fonts.objects():
        yield w.obj(number, body) if data is None else w.packed(number, data, body)
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    yield w.obj(PAGES, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(kids), refs))
    yield w.obj(CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % PAGES)
    xref_at = w.position
    count = w.next_id
    rows = [b"xref\n0 %d\n0000000000 65535 f \n" % count]
    rows.extend(b"%010d 00000 n \n" % w.offsets[n] for n in range(1, count))
    rows.append(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                % (count, CATALOG, xref_at))
    yield w.raw(b"".join(rows))
