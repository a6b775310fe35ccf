"""Opaque, URL-safe list cursors (each list answer is a contract model with `next_cursor`)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from labelsvc.errors import ValidationFailed


def encode_cursor(*position: Any) -> str:
    """Encode a list position as an opaque `[A-Za-z0-9_-]` token."""
    raw = json.dumps(list(position), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """Decode a cursor made by `encode_cursor`, refusing anything else."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        position = None
    if not isinstance(position, list) or not position:
        raise ValidationFailed("the cursor is not one this service handed out",
                               {"cursor": "not a valid cursor"})
    return position


def cursor_position(cursor: str | None) -> int | None:
    """The whole-number list position a cursor holds (a row id or a label's place), if any."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return int(position[0])
    except (TypeError, ValueError):
        raise ValidationFailed("the cursor is not one this service handed out",
                               {"cursor": "not a valid cursor"}) from None
