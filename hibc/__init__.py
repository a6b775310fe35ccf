"""HIBC Supplier Labeling (ANSI/HIBC 2.6): the primary and secondary data structures of medical
devices, with their mod-43 check character, as symbology-agnostic text for Code 128, Code 39,
Data Matrix or QR. Pure Python.

    from hibc import Hibc, encode, read
    encode(Hibc(labeler="A999", product="1234", uom="5", lot="10X3"))  # '+A99912345/$$710X3' + C
    read("+A99912345/$$52001510X3/16D20111212/S77DE1G45-").serial        # '77DE1G45'
"""

from __future__ import annotations

from hibc.check import CHARSET, check_character
from hibc.structure import Hibc, HibcError, encode, encode_secondary, read

__all__ = ["CHARSET", "Hibc", "HibcError", "check_character", "encode", "encode_secondary",
           "read"]
