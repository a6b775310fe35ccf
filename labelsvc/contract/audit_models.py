"""Requests and answers of the audit trail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from labelsvc.contract.common import Cursor, DateOrTime, Query, Text

Why = Literal["changed", "removed", "inserted"]
Short = Annotated[str, Field(min_length=1, max_length=100)]


class AuditQuery(Query):
    """Filters of the audit list; `from` (inclusive) and `to` (exclusive) bound `at`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    action: Short | None = None
    target_kind: Short | None = None
    target: Text | None = None
    actor: Short | None = None
    at_from: DateOrTime | None = Field(None, alias="from")
    at_to: DateOrTime | None = Field(None, alias="to")
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    cursor: Cursor | None = None


class AuditRowOut(BaseModel):
    """One governed change: who, when, what, the target before and after."""

    id: int
    at: str
    actor: str
    actor_token: int | None
    actor_role: str | None
    action: str
    target_kind: str
    target: str
    target_id: str | None
    before: Any
    after: Any
    prev_hash: str
    row_hash: str


class AuditListOut(BaseModel):
    """A page of audit rows, oldest first."""

    items: list[AuditRowOut]
    next_cursor: str | None


class AuditVerifyOut(BaseModel):
    """The chain checked end to end: intact, or the first row changed, removed or inserted."""

    ok: bool
    rows: int
    first_broken: int | None = None
    why: Why | None = None
    last_id: int | None = None
    last_hash: str | None = None
