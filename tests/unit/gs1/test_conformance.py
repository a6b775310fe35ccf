"""GS1 conformance against test material others wrote: GS1's Syntax Engine, digital-link.js
and the Digital Link toolkit (`../shared/vectors/gs1_cases.json`, SOURCES.md there).

The vectors stay outside the repository. `LABELSVC_VECTORS` names their folder; the default is
`../shared/vectors` beside the repository's root. Without them the test is skipped, and says so.
Every category must pass whole; a case we judge differently is listed in `JUDGED_OTHERWISE`
with its reason, and the README lists the same cases (the last test checks that).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from messages import partners
from pydantic import ValidationError

import gs1
from templates import Template, TemplateError, render_bytes

ROOT = Path(__file__).resolve().parents[3]
VECTORS = Path(os.environ.get("LABELSVC_VECTORS") or ROOT.parent / "shared" / "vectors")
CASES_FILE = VECTORS / "gs1_cases.json"

# Cases whose verdict we do not share, with the reason (also in the README, "GS1 conformance").
JUDGED_OTHERWISE = {
    ("scan-invalid", "gs1se:scandata.c:844"): "text without a symbology identifier is a plain "
        "value for us (most keyboard-wedge scanners send none); GS1's engine requires one",
    ("scan-invalid", "gs1se:ai.c:1391"): "'1(12345' does not start with a bracket, so a scan "
        "reads it as a plain value; as a label template value it is refused",
    ("scan-invalid", "gs1se:ai.c:1392"): "'12345' is a plain value when scanned; as a label "
        "template value it is refused",
}
Case = dict[str, Any]


def _cases() -> list[Case]:
    if not CASES_FILE.is_file():
        reason = (f"GS1 conformance did not run: no vectors at {CASES_FILE} "
                  "(set LABELSVC_VECTORS to the folder holding gs1_cases.json)")
        print(reason)
        pytest.skip(reason)
    cases: list[Case] = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    return cases


def scanner_text(case: Case) -> str:
    """The text a scanner would send: `^` notation becomes `]C1` and GS separators."""
    text: str = case["input"]
    if case["form"] == "fnc1" and text.startswith("^"):
        return "]C1" + text[1:].replace("^", gs1.GS)
    return text


def _read_right(case: Case) -> bool:
    found = gs1.read_scan(scanner_text(case))
    if case["form"] == "dl" and found.kind != "digital-link":
        return False
    ok = [list(e) for e in found.elements] == case.get("ais", []) and not [
        p for p in found.problems if p.level == "element"]
    return ok and ("plain" not in case or found.plain == case["plain"])


def _refused_by_scan(case: Case) -> bool:
    found = gs1.read_scan(scanner_text(case))
    if case["form"] == "dl":
        return found.kind != "digital-link" or not found.valid  # not read as a Digital Link
    return not found.valid


def _template(values: list[str]) -> dict[str, Any]:
    return {"name": "conformance", "width_mm": 200, "height_mm": 200, "dpi": 203,
            "elements": [{"type": "barcode", "symbology": "gs1-datamatrix", "x_mm": 2,
                          "y_mm": 2 + 60 * i, "module_mm": 0.3, "value": v}
                         for i, v in enumerate(values)]}


def _literal(elements: list[tuple[str, str]]) -> str:
    return "".join(f"({ai})" + data.replace("(", "\\(").replace("{", "{{").replace("}", "}}")
                   for ai, data in elements)


def _renders(case: Case) -> bool:
    elements = [tuple(e) for e in case["ais"]]
    extra = partners([ai for ai, _ in elements])
    tail = [_literal(extra)] if extra else []
    literal = Template.model_validate(_template([_literal(elements)] + tail))
    render_bytes(literal, [{}], "zpl")
    data = {f"a{i}": d for i, (_, d) in enumerate(elements)}
    placeholders = "".join(f"({ai}){{attributes.a{i}}}" for i, (ai, _) in enumerate(elements))
    filled = Template.model_validate(_template([placeholders] + tail))
    render_bytes(filled, [{"attributes": data}], "zpl")
    read = gs1.read_scan("]d2" + gs1.element_string(elements))
    return [list(e) for e in read.elements] == case["ais"]


def _template_refuses(case: Case) -> bool:
    try:
        Template.model_validate(_template([case["input"].replace("{", "{{").replace("}", "}}")]))
    except ValidationError:
        pass
    else:
        return False
    parsed = gs1.read_hri(case["input"])
    if not parsed.elements or any(p.ai is None for p in parsed.problems):
        return True  # not GS1 syntax at all: only a literal can carry it
    data = {f"a{i}": d for i, (_, d) in enumerate(parsed.elements)}
    value = "".join(f"({ai}){{attributes.a{i}}}" for i, (ai, _) in enumerate(parsed.elements))
    try:
        template = Template.model_validate(_template([value]))
        render_bytes(template, [{"attributes": data}], "zpl")
    except (ValidationError, TemplateError):
        return True
    return False


CATEGORIES: dict[str, tuple[Callable[[Case], bool], Callable[[Case], bool]]] = {
    "scan: valid GS1 data read right": (
        lambda c: c["valid"] and c["form"] in ("hri", "fnc1", "scan"), _read_right),
    "scan: invalid GS1 data refused or flagged": (
        lambda c: not c["valid"] and c["level"] == "element" and c["form"] != "dl",
        _refused_by_scan),
    "scan: message-level rules": (
        lambda c: not c["valid"] and c["level"] == "message", _refused_by_scan),
    "scan: Digital Link URIs read right": (
        lambda c: c["valid"] and c["form"] == "dl", _read_right),
    "scan: bad Digital Link URIs refused": (
        lambda c: not c["valid"] and c["form"] == "dl", _refused_by_scan),
    "templates: valid GS1 content renders": (
        lambda c: c["valid"] and bool(c.get("ais")), _renders),
    "templates: invalid GS1 content refused (422)": (
        lambda c: not c["valid"] and c["level"] == "element" and c["form"] == "hri",
        _template_refuses),
    "templates: message-level rules": (
        lambda c: not c["valid"] and c["level"] == "message", _template_refuses),
}
_SHORT = {"scan: valid GS1 data read right": "scan-valid",
          "scan: invalid GS1 data refused or flagged": "scan-invalid"}


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_category_passes_whole(category: str) -> None:
    select, check = CATEGORIES[category]
    chosen = [c for c in _cases() if select(c)]
    short = _SHORT.get(category, category)
    failed = []
    for case in chosen:
        try:
            ok = check(case)
        except (ValidationError, TemplateError) as exc:
            ok, case = False, {**case, "error": str(exc)}
        if not ok and (short, case["id"]) not in JUDGED_OTHERWISE:
            failed.append(case)
    judged = sum(1 for c in chosen if (short, c["id"]) in JUDGED_OTHERWISE)
    print(f"{category}: {len(chosen) - len(failed) - judged}/{len(chosen)} "
          f"(+{judged} judged otherwise, see README)")
    assert chosen, f"no vectors in category {category!r}"
    assert not failed, "\n".join(f"{c['id']} {c['input']!r}: {c.get('error', '')}"
                                 for c in failed[:20])


def test_every_case_is_in_a_category() -> None:
    left = [c["id"] for c in _cases() if not any(s(c) for s, _ in CATEGORIES.values())]
    assert left == []


def test_judged_cases_are_in_the_readme() -> None:
    _cases()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for (_, case_id), _reason in JUDGED_OTHERWISE.items():
        assert case_id in readme, f"{case_id} is judged otherwise but not listed in the README"
