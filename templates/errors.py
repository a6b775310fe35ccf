"""The one base exception of the label package."""

from __future__ import annotations


class TemplateError(Exception):
    """A template or a label that cannot be defined or rendered; `field` names the element."""

    def __init__(self, message: str, field: str | None = None, record: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.record = record

    def at(self, field: str | None = None, record: int | None = None) -> TemplateError:
        """Return this error keyed to an element and/or a record index."""
        if field is not None and self.field is None:
            self.field = field
        if record is not None and self.record is None:
            self.record = record
        return self

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
