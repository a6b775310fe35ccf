"""GS1 syntax: the AI table of the General Specifications, element strings, the bracketed HRI,
message rules, GS1 Digital Link URIs and scanner text. Pure Python; used by label templates,
scanning and the registry alike.

    from gs1 import read_scan, read_hri, check_element
    read_scan("]C1010950600013435210ABC").elements   # (("01", "09506000134352"), ("10", "ABC"))
"""

from __future__ import annotations

from gs1.digital_link import digital_link, read_digital_link
from gs1.element import Element, Problem, check_element, describe
from gs1.linters import check_pair
from gs1.message import (
    GS,
    Message,
    element_string,
    exclusion_problems,
    hri,
    is_predefined_length,
    message_problems,
    read_element_string,
    read_hri,
    requirement_problems,
    value_problems,
)
from gs1.samples import sample_value
from gs1.scandata import Scan, read_scan
from gs1.table import AI, lookup, table, table_version

__all__ = [
    "AI",
    "GS",
    "Element",
    "Message",
    "Problem",
    "Scan",
    "check_element",
    "check_pair",
    "describe",
    "digital_link",
    "element_string",
    "exclusion_problems",
    "hri",
    "is_predefined_length",
    "lookup",
    "message_problems",
    "read_digital_link",
    "read_element_string",
    "read_hri",
    "read_scan",
    "requirement_problems",
    "sample_value",
    "table",
    "table_version",
    "value_problems",
]
