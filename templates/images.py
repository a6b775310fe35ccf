"""Pictures on labels: PNG files beside the template or `data:` URIs, as 1-bit images."""

from __future__ import annotations

import base64
import binascii
import io
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from templates.errors import TemplateError


def load(source: str, base_dir: str | None, size: tuple[int, int]) -> Image.Image:
    """Return the picture scaled to `size` dots and thresholded to 1 bit (0 = black)."""
    try:
        if source.startswith("data:"):
            raw = base64.b64decode(source.partition(",")[2], validate=True)
        else:
            path = Path(base_dir or ".") / source
            if base_dir and not path.resolve().is_relative_to(Path(base_dir).resolve()):
                raise TemplateError(f"image {source!r} must lie beside the template")
            raw = path.read_bytes()
        with Image.open(io.BytesIO(raw)) as img:
            rgba = img.convert("RGBA")
    except (OSError, binascii.Error, UnidentifiedImageError, ValueError) as exc:
        raise TemplateError(f"image {source[:60]!r} cannot be read: {exc}") from None
    flat = Image.new("RGBA", rgba.size, "white")
    flat.alpha_composite(rgba)
    grey = flat.convert("L").resize(size, Image.Resampling.LANCZOS)
    return grey.point(lambda v: 255 if v >= 128 else 0, mode="1")
