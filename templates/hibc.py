"""HIBC values of label templates: the fields of an HIBC symbol, each a value with placeholders,
built into the primary and secondary structures with their check character by `hibc`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

import hibc
from templates import placeholders
from templates.errors import TemplateError
from templates.placeholders import Part, Record

# Symbologies that carry HIBC text as it is (every HIBC character is a Code 39 character).
SYMBOLOGIES = frozenset({"code128", "code39", "datamatrix", "qr"})
_NAMES = ("labeler", "product", "uom", "lot", "serial", "expiry", "manufactured", "quantity")


class HibcFields(BaseModel):
    """What an HIBC symbol carries: labeler (LIC), product (PCN) and unit of measure always;
    lot, serial, expiry, date of manufacture and quantity for the secondary structure.

    `structure`: `primary` (the primary alone), `secondary` (the secondary alone, linked to
    its primary by the primary's check character), or `both` in one symbol (the default when
    any secondary field is given).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    labeler: str
    product: str
    uom: str
    lot: str | None = None
    serial: str | None = None
    expiry: str | None = None
    manufactured: str | None = None
    quantity: str | None = None
    structure: Literal["primary", "secondary", "both"] | None = None
    _parts: dict[str, tuple[Part, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _compile(self) -> HibcFields:
        for name in _NAMES:
            text = getattr(self, name)
            if text is not None:
                self._parts[name] = placeholders.parse(text)
        secondary = any(n in self._parts for n in _NAMES[3:])
        if self.structure in ("secondary", "both") and not ("lot" in self._parts
                                                             or "serial" in self._parts):
            raise ValueError(f"an HIBC {self.structure} structure needs a lot or a serial")
        if self.structure == "primary" and secondary:
            raise ValueError("an HIBC primary structure carries no lot, serial, expiry, date "
                             "of manufacture or quantity; use structure both")
        return self

    @property
    def parts(self) -> tuple[Part, ...]:
        """Every field's parts, for the template's list of placeholders."""
        return tuple(p for parts in self._parts.values() for p in parts)

    def text(self, record: Record) -> str:
        """Return the HIBC text for a record, with its check character; TemplateError names
        the field and the rule."""
        filled = {name: placeholders.fill(parts, record) for name, parts in self._parts.items()}
        data = hibc.Hibc(
            labeler=filled["labeler"], product=filled["product"], uom=filled["uom"],
            lot=filled.get("lot"), serial=filled.get("serial"),
            expiry=_date("expiry", filled.get("expiry")),
            manufactured=_date("manufactured", filled.get("manufactured")),
            quantity=_quantity(filled.get("quantity")))
        try:
            return hibc.encode_secondary(data) if self.structure == "secondary" else \
                hibc.encode(data)
        except hibc.HibcError as exc:
            raise TemplateError(str(exc)) from None


def _date(name: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TemplateError(f"HIBC {name} needs a date (YYYY-MM-DD), got {text!r}") from None


def _quantity(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        raise TemplateError(f"HIBC quantity needs a whole number, got {text!r}")
    return int(number)
