"""The shipped fonts in a PDF: a TrueType subset per font and document, with widths and ToUnicode.

Each font a document uses is a Type0 font (Identity-H: two-byte glyph ids, so any character
of the font can be shown) over a CIDFontType2 with the glyphs' widths and the subset embedded
as FontFile2; its ToUnicode CMap maps every glyph back to its character, so text can be
searched and extracted. Pages show the font's own glyph ids and are written as they are
rendered; the subset, known only once the last page is written, goes at the end.
Subsets are cached by glyph set: every ASCII-only document shares one.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from fontTools import subset
from fontTools.ttLib import TTFont

from templates.text import PRIMARY, Face, runs

# Glyphs every subset of the primary font holds, so that ASCII-only documents share one.
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


@dataclass(frozen=True, slots=True)
class Embedded:
    """A subset ready to write: its name, compressed streams (font file, glyph map, ToUnicode),
    the font file's length, widths and descriptor entries."""

    name: bytes
    font_file: bytes
    font_length: int
    cid_to_gid: bytes
    to_unicode: bytes
    widths: bytes
    descriptor: bytes


@lru_cache(maxsize=32)
def embedded(face: Face, glyphs: frozenset[int]) -> Embedded:
    """Return the subset of a face holding these glyphs, ready to embed.

    Pages show the face's own glyph ids; the subset numbers its glyphs anew, and the
    CIDToGIDMap leads from one to the other.
    """
    options = subset.Options()
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # names, copyright and licence
    options.drop_tables += ["cmap", "GSUB", "GPOS", "GDEF", "MATH", "vhea", "vmtx", "gasp",
                            "kern", "FFTM"]  # a CIDFontType2 finds glyphs by id, not by cmap
    options.prune_unicode_ranges = options.prune_codepage_ranges = False
    font = TTFont(face.path, lazy=True, recalcBBoxes=False)
    font.setGlyphOrder(list(face.glyph_order))
    subsetter = subset.Subsetter(options)
    used = sorted(glyphs)
    subsetter.populate(gids=used)
    subsetter.subset(font)
    raw = io.BytesIO()
    font.save(raw)
    new = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    cid_to_gid = bytearray(2 * (used[-1] + 1))
    for gid in used:
        cid_to_gid[2 * gid : 2 * gid + 2] = new[face.glyph_order[gid]].to_bytes(2, "big")
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha1(repr(used).encode()).digest()[:6])
    postscript = font["name"].getDebugName(6) or face.path.stem
    name = (tag + "+" + "".join(c for c in postscript if c.isascii() and c.isalnum())).encode()
    return Embedded(name, zlib.compress(raw.getvalue(), 6), len(raw.getvalue()),
                    zlib.compress(bytes(cid_to_gid), 6), zlib.compress(_to_unicode(face, used), 6),
                    _widths(face, used), _descriptor(face, font))


def _widths(face: Face, glyphs: list[int]) -> bytes:
    """Return the /W array: each glyph's advance in thousandths of an em."""
    return b"[" + b" ".join(b"%d [%s]" % (g, _num(face.advances[g] * 1000)) for g in glyphs) + b"]"


def _descriptor(face: Face, font: TTFont) -> bytes:
    """Return the font descriptor's entries (all but /FontName and /FontFile2)."""
    head, upm = font["head"], face.units_per_em
    box = b" ".join(_num(v * 1000 / upm) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    cap = getattr(font["OS/2"], "sCapHeight", 0) or font["hhea"].ascent
    return (b"/Flags 4 /FontBBox [%s] /ItalicAngle 0 /Ascent %s /Descent %s /CapHeight %s "
            b"/StemV 80" % (box, _num(face.ascent * 1000), _num(-face.descent * 1000),
                            _num(cap * 1000 / upm)))


def _to_unicode(face: Face, glyphs: list[int]) -> bytes:
    """Return a ToUnicode CMap mapping each glyph id to its character (UTF-16BE)."""
    pairs = [(g, chr(face.characters.get(g, 0xFFFD))) for g in glyphs]
    out = [b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
           b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
           b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
           b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"]
    for start in range(0, len(pairs), 100):
        block = pairs[start : start + 100]
        out.append(b"%d beginbfchar\n" % len(block))
        out.extend(b"<%04X> <%s>\n" % (g, c.encode("utf-16-be").hex().upper().encode())
                   for g, c in block)
        out.append(b"endbfchar\n")
    out.append(b"endcmap CMapName currentdict /CMap defineresource pop end end\n")
    return b"".join(out)


def pdf_number(value: float) -> str:
    """Write a number as PDF does: at most four decimals, no trailing zeros."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _num(value: float) -> bytes:
    return pdf_number(value).encode()


class DocumentFonts:
    """The fonts one document uses: text shown with them, then their objects at the end."""

    def __init__(self, new_id: Callable[[], int]) -> None:
        self._new_id = new_id
        self.ids: dict[Face, int] = {}
        self.glyphs: dict[Face, set[int]] = {}

    def show(self, line: str) -> bytes:
        """Return the text operators that show a line, run by run (`/Fn 1 Tf <ids> Tj`)."""
        out = []
        for run in runs(line):
            face = run.face
            if face not in self.ids:
                self.ids[face] = self._new_id()
                self.glyphs[face] = {0, *runs(_ASCII)[0].glyphs} if face is PRIMARY else {0}
            self.glyphs[face].update(run.glyphs)
            out.append(b"/F%d 1 Tf <%s> Tj" % (face.index, _hex(run.glyphs)))
        return b" ".join(out)

    def resources(self) -> bytes:
        """Return the /Font dictionary's entries for the fonts used so far."""
        return b"".join(b"/F%d %d 0 R " % (f.index, n) for f, n in self.ids.items())

    def objects(self) -> list[tuple[int, bytes, bytes | None]]:
        """Return every font object: (number, dictionary, compressed stream data or None)."""
        out: list[tuple[int, bytes, bytes | None]] = []
        for face, number in self.ids.items():
            e = embedded(face, frozenset(self.glyphs[face]))
            cid, desc, file, uni, gids = (self._new_id() for _ in range(5))
            out.append((number, b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding "
                        b"/Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>"
                        % (e.name, cid, uni), None))
            out.append((cid, b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
                        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
                        b"/Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap %d 0 R "
                        b"/W %s >>" % (e.name, desc, gids, e.widths), None))
            out.append((desc, b"<< /Type /FontDescriptor /FontName /%s %s /FontFile2 %d 0 R >>"
                        % (e.name, e.descriptor, file), None))
            out.append((file, b"/Length1 %d " % e.font_length, e.font_file))
            out.append((uni, b"", e.to_unicode))
            out.append((gids, b"", e.cid_to_gid))
        return out


@lru_cache(maxsize=16384)
def _hex(glyphs: tuple[int, ...]) -> bytes:
    return b"".join(b"%04X" % g for g in glyphs)
