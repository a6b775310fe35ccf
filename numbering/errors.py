"""Errors raised by the identifier engine."""

from __future__ import annotations


class NumberingError(ValueError):
    """A value cannot be built or read under a scheme; `field` names the offending input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SequenceExhausted(NumberingError):
    """The counter has no value left in its width and radix; it never wraps."""


class ParseError(NumberingError):
    """A value does not fit a scheme's pattern."""
