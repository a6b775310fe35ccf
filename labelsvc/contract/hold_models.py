"""Holds: put a lot or serial on hold, release it, and hold a whole recall."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from labelsvc.contract.common import Body, Value
from labelsvc.contract.values import Reason

HoldId = Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]


class HoldIn(Body):
    """Put an identifier on hold; `propagate` holds everything made from it too."""

    reason: Reason
    propagate: bool = False


class ReleaseIn(Body):
    """Release a hold; `hold` names it when the identifier has more than one active."""

    reason: Reason
    hold: HoldId | None = None


class RecallHoldIn(Body):
    """Hold the identifier of a recall and every unit that contains it, each on its own;
    `propagate` makes the recalled identifier's own hold reach what is made from it later."""

    identifier: Value
    reason: Reason
    propagate: bool = False


class HoldOut(BaseModel):
    """A hold: on which identifier, why, who placed it and, once released, who and why.

    `through` is null for the identifier's own hold; on a record held by its lot's hold or
    by a propagating hold on something it is made from, it names that identifier.
    """

    id: int
    identifier: str
    reason: str
    propagate: bool
    active: bool
    placed_at: str
    placed_by: str
    released_at: str | None = None
    released_by: str | None = None
    release_reason: str | None = None
    through: str | None = None


class HoldListOut(BaseModel):
    """Holds placed together (a recall's)."""

    items: list[HoldOut]
