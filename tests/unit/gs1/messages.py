"""Test helper: complete GS1 messages so that the required-AI rules hold."""

from __future__ import annotations

import gs1
from gs1.table import matches


def partners(ais: list[str]) -> list[tuple[str, str]]:
    """Element strings that give a label the AIs its `req` rules ask for (GS1 checks them over
    all the symbols of an item), chosen so that no exclusion is broken."""
    have: list[str] = list(ais)
    added: list[tuple[str, str]] = []
    for _ in range(8):
        missing = gs1.requirement_problems(have)
        if not missing:
            return added
        entry = gs1.lookup(missing[0].ai or "")
        assert entry is not None
        for alternatives in entry.requires:
            if any(all(any(matches(p, o) for o in have if o != entry.ai) for p in group)
                   for group in alternatives):
                continue
            for group in alternatives:
                pick = [p.replace("n", "0") for p in group]
                if all(gs1.lookup(p) for p in pick) and not gs1.exclusion_problems(have + pick):
                    have += pick
                    added += [(p, gs1.sample_value(p)) for p in pick]
                    break
            else:
                return added  # no partner fits beside the others: the label is refused
    return added
