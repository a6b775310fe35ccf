"""The identifier engine: scheme model, pattern language, check characters and date codes.

Pure Python: no Flask, no database. The registry decides which counter value a request gets;
this package decides what the identifier looks like and reads it back.
"""

from __future__ import annotations

from numbering.checks import ALGORITHMS, CheckAlgorithm, register
from numbering.compiled import Parsed
from numbering.errors import NumberingError, ParseError, SequenceExhausted
from numbering.examples import load_examples
from numbering.scheme import Scheme

__all__ = [
    "ALGORITHMS",
    "CheckAlgorithm",
    "NumberingError",
    "ParseError",
    "Parsed",
    "Scheme",
    "SequenceExhausted",
    "load_examples",
    "register",
]
