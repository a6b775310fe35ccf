"""What every request and answer model shares: value types, bodies, queries, paging, problems."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)

from labelsvc.contract.values import label_text
from labelsvc.errors import ValidationFailed


def _scalar_text(value: Any) -> Any:
    """Accept numbers where a field value is text (a line number sent as 3)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


SchemeName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
PrinterName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
TemplateName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Value = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=200)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
FieldValue = Annotated[str, BeforeValidator(_scalar_text), StringConstraints(max_length=200),
                       AfterValidator(label_text)]
Cursor = Annotated[str, StringConstraints(max_length=500, pattern=r"^[A-Za-z0-9_-]*$")]
Status = Literal["issued", "shipped", "returned", "scrapped", "consumed", "voided"]
Kind = Literal["serial", "lot"]


def _date_or_time(value: Any) -> dt.date | dt.datetime:
    """Read an ISO 8601 date (2026-11-20) or date-time (2026-11-20T08:00:00+01:00)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 else \
                dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("expected an ISO 8601 date (2026-11-20) or date-time "
                     "(2026-11-20T08:00:00+01:00)")


DateOrTime = Annotated[dt.date | dt.datetime, PlainValidator(_date_or_time),
                       WithJsonSchema({"type": "string",
                                       "description": "ISO 8601 date or date-time"})]


def utc_bound(value: dt.date | dt.datetime | None, field: str) -> dt.datetime | None:
    """Read a search bound in UTC: a date is midnight UTC, a naive time is UTC; one that has
    no UTC time (year 1 east of Greenwich) is refused, naming the query parameter."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(), dt.UTC)
    try:
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    except OverflowError:
        raise ValidationFailed(f"{field} {value.isoformat()} lies outside the calendar in UTC",
                               {field: "a date-time between the years 1 and 9999 in UTC"}
                               ) from None


class Body(BaseModel):
    """A request body: unknown keys are refused so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


class TermIn(Body):
    """A word to add to a vocabulary (an event type, a reprint reason): name and meaning."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    description: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Query(BaseModel):
    """Query parameters: unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")


class WriteHeaders(BaseModel):
    """Headers of a write: an optional Idempotency-Key makes retries safe."""

    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        None, alias="Idempotency-Key")  # type: ignore[assignment]


class PageQuery(Query):
    """Paging of a list."""

    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    cursor: Cursor | None = None


class HealthOut(BaseModel):
    """Liveness or readiness."""

    status: str
    detail: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None
