"""What free-form and label-bound text may hold: checked on the way in, by the rules the
registry's JSON, PostgreSQL and a printer apply on the way out.

A value the answer's serialiser cannot write (a lone UTF-16 surrogate, nesting deeper than
the JSON reader allows) or PostgreSQL cannot store (NUL) would be committed and then break
every answer that includes it; a control character in text that reaches a label would go to
the printer. Each is refused with the place it stands, before anything is written.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from labelsvc.errors import ValidationFailed

FREE_FORM_DEPTH = 16
FREE_FORM_BYTES = 64 * 1024
FREE_FORM_KEYS = 200


def nul_at(data: Any, path: str = "") -> str | None:
    """The place of the first NUL character in parsed data (keys too), or None."""
    if isinstance(data, str):
        return path or "body" if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                return here
            found = nul_at(value, here)
            if found:
                return found
    if isinstance(data, list):
        for i, value in enumerate(data):
            found = nul_at(value, f"{path}[{i}]")
            if found:
                return found
    return None


def refuse_nul(data: Any, prefix: str = "") -> None:
    """Refuse a NUL character anywhere in what a request sends (a 422 naming the place):
    PostgreSQL cannot store one, and no identifier, name or label holds one."""
    where = nul_at(data, prefix)
    if where:
        raise ValidationFailed(f"{where} holds a NUL character (U+0000)",
                               {where: "holds a NUL character (U+0000)"})


def _text_fault(text: str, *, label: bool) -> str | None:
    """Why a string cannot be kept (or printed, when `label`), or None."""
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            return f"holds a lone UTF-16 surrogate (U+{ord(char):04X}), which is not text"
        if char == "\x00":
            return "holds a NUL character (U+0000)"
        if label and unicodedata.category(char) == "Cc":
            return (f"holds a control character (U+{ord(char):04X}) that a label cannot "
                    f"print")
    return None


def _walk(value: Any, where: str, depth: int, keys: list[int], label: bool) -> None:
    """Check every key and string below `value`; ValueError naming the first fault."""
    if isinstance(value, dict | list) and depth > FREE_FORM_DEPTH:
        raise ValueError(f"nested deeper than {FREE_FORM_DEPTH} levels (at {where[:80]})")
    if isinstance(value, dict):
        keys[0] += len(value)
        if keys[0] > FREE_FORM_KEYS:
            raise ValueError(f"more than {FREE_FORM_KEYS} keys in all")
        for key, item in value.items():
            here = f"{where}.{key}" if where else str(key)
            fault = _text_fault(str(key), label=label)
            if fault:
                raise ValueError(f"the key {here!r} {fault}")
            _walk(item, here, depth + 1, keys, label)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{where}[{i}]", depth + 1, keys, label)
    elif isinstance(value, str):
        fault = _text_fault(value, label=label)
        if fault:
            raise ValueError(f"{where or 'the value'} {fault}")


def _free_form(label: bool) -> Any:
    def check(value: dict[str, Any]) -> dict[str, Any]:
        if not value:  # most requests carry none
            return value
        _walk(value, "", 1, [0], label)
        size = len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))
        if size > FREE_FORM_BYTES:
            raise ValueError(f"{size:,} bytes as JSON; at most {FREE_FORM_BYTES:,}")
        return value
    return check


def label_text(value: str) -> str:
    """Refuse text a label cannot print (a control character), or that is not text."""
    fault = _text_fault(value, label=True)
    if fault:
        raise ValueError(f"the text {fault}")
    return value


def kept_text(value: str) -> str:
    """Refuse text the registry cannot keep and answer (a lone surrogate, NUL)."""
    fault = _text_fault(value, label=False)
    if fault:
        raise ValueError(f"the text {fault}")
    return value


# Why something was done (a hold placed or released): required, never only blanks.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                   AfterValidator(kept_text)]
# A record's attributes: may reach a label through a placeholder, so no control characters.
Attributes = Annotated[dict[Annotated[str, StringConstraints(max_length=200)], Any],
                       AfterValidator(_free_form(label=True))]
# An event's data: kept and answered, never printed.
EventData = Annotated[dict[Annotated[str, StringConstraints(max_length=200)], Any],
                      AfterValidator(_free_form(label=False))]
# Text that is printed on labels (field values, supplier and supplier lot).
LabelText = Annotated[str, StringConstraints(max_length=200), AfterValidator(label_text)]
