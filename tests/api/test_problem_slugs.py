"""The README lists every problem slug the service answers, each with its HTTP status."""

from __future__ import annotations

import re
from pathlib import Path

from labelsvc.api.problems import HTTP_SLUGS
from labelsvc.errors import PROBLEMS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "labelsvc").rglob("*.py"))


def _service_slugs() -> dict[str, set[int]]:
    """Each slug the service answers and its statuses: the error table, Werkzeug's errors, and
    the problems built in place (the generic 500)."""
    slugs: dict[str, set[int]] = {}
    for status, slug, _title in PROBLEMS.values():
        slugs.setdefault(slug, set()).add(status)
    for status, slug in HTTP_SLUGS.items():
        slugs.setdefault(slug, set()).add(status)
    for path in SOURCES:
        for status, slug in re.findall(r'problem_body\(\s*(\d{3}),\s*"([a-z][a-z-]*)"',
                                       path.read_text()):
            slugs.setdefault(slug, set()).add(int(status))
    return slugs


def _readme_slugs() -> dict[str, set[int]]:
    """The README's list: `a`, `b` (409) gives both slugs the status in the parentheses after
    them."""
    text = (ROOT / "README.md").read_text()
    found = re.search(r"^Slugs: (.*?)^Outside `/api/`", text, flags=re.M | re.S)
    assert found, "the README's list of problem slugs (a paragraph starting 'Slugs: ') is gone"
    slugs: dict[str, set[int]] = {}
    waiting: list[str] = []
    for slug, note in re.findall(r"`([a-z][a-z-]*)`|\(([^)]*)\)", found.group(1)):
        if slug:
            waiting.append(slug)
            continue
        for name in waiting:
            slugs.setdefault(name, set()).update(int(s) for s in re.findall(r"\b\d{3}\b", note))
        waiting = []
    assert not waiting, f"slugs without a status at the end of the README's list: {waiting}"
    return slugs


def test_the_readme_lists_every_problem_slug_with_its_status() -> None:
    listed = _readme_slugs()
    wrong = {slug: sorted(statuses) for slug, statuses in _service_slugs().items()
             if not statuses <= listed.get(slug, set())}
    assert not wrong, f"the README's 'Slugs:' list lacks these slugs or statuses: {wrong}"


def test_the_readme_lists_no_slug_the_service_lost() -> None:
    code = "".join(path.read_text() for path in SOURCES)
    gone = [slug for slug in _readme_slugs() if f'"{slug}"' not in code]
    assert not gone, f"the README lists slugs the service no longer answers: {gone}"
