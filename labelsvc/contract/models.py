"""Request and response models of the HTTP API; the OpenAPI document is built from them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from labelsvc.contract.common import (
    Body,
    Cursor,
    DateOrTime,
    FieldName,
    FieldValue,
    Kind,
    PageQuery,
    PrinterName,
    Query,
    SchemeName,
    Status,
    TemplateName,
    TermIn,
    Text,
    Value,
)
from labelsvc.contract.hold_models import HoldOut
from labelsvc.contract.print_models import JobOut
from labelsvc.contract.values import Attributes, EventData, LabelText


class SchemeDefinitionIn(BaseModel):
    """A numbering scheme definition (pattern, code tables, counter scope); extra keys are kept."""

    model_config = ConfigDict(extra="allow")
    name: SchemeName | None = None
    kind: Kind
    pattern: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    codes: dict[FieldName, dict[Text, Text]] | None = None
    charset: Text | None = None
    timezone: Text | None = None
    site_timezones: dict[Text, Text] | None = None
    start: int | None = None
    scope: list[FieldName] | None = None
    allow_overlap: bool | None = None
    warranty_days: Annotated[int, Field(ge=0, le=100_000)] | None = None


class SchemeOut(BaseModel):
    """A scheme's current version."""

    name: str
    kind: Kind
    version: int
    definition: dict[str, Any]
    capacity: int
    capacity_report: str


class SchemeVersionOut(BaseModel):
    """One version of a scheme."""

    version: int
    definition: dict[str, Any]
    created_at: str
    created_by: str


class SchemeDetailOut(SchemeOut):
    """A scheme with every version."""

    versions: list[SchemeVersionOut]


class SchemeListOut(BaseModel):
    """A page of schemes."""

    items: list[SchemeOut]
    next_cursor: str | None


class PreviewIn(Body):
    """Which values would a request get."""

    fields: dict[FieldName, FieldValue] = {}
    date: DateOrTime | None = None
    count: Annotated[int, Field(ge=1, le=1000, strict=True)] = 1


class PreviewOut(BaseModel):
    """The next values of a counter, consuming nothing."""

    identifiers: list[str]
    counter: str
    capacity: int
    capacity_report: str
    remaining: int


class PrintIn(Body):
    """Print the issued identifiers at once."""

    printer: PrinterName
    template: TemplateName
    copies: Annotated[int, Field(ge=1, le=100)] = 1


class IssueIn(Body):
    """What every issue request carries."""

    scheme: SchemeName
    fields: dict[FieldName, FieldValue] = {}
    date: DateOrTime | None = None
    count: Annotated[int, Field(ge=1, le=100_000, strict=True)] = 1
    attributes: Attributes = {}
    print: PrintIn | None = None


class SerialsIn(IssueIn):
    """Issue serial numbers, optionally into a lot."""

    lot: Value | None = None


class LotsIn(IssueIn):
    """Issue lot numbers for goods received or made."""

    quantity: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    uom: Annotated[str, StringConstraints(max_length=20)] | None = None
    expiry: dt.date | None = None
    supplier: LabelText | None = None
    supplier_lot: LabelText | None = None


class WarrantyOut(BaseModel):
    """Warranty counted from the first `shipped` event."""

    model_config = ConfigDict(frozen=True)
    days: int
    starts: str | None
    ends: str | None
    status: Literal["not-started", "active", "expired", "void"]


class IdentifierOut(BaseModel):
    """An identifier record; lots add quantity, uom and expiry."""

    value: str
    kind: Kind
    scheme: str
    version: int
    status: Status
    fields: dict[str, Any]
    date: str | None
    issued_at: str
    issued_by: str
    lot: str | None
    attributes: dict[str, Any]
    warranty: WarrantyOut | None
    quantity: int | float | None = None
    uom: str | None = None
    expiry: str | None = None


class IssueOut(BaseModel):
    """Issued identifiers and their print job."""

    identifiers: list[IdentifierOut]
    print_job: JobOut | None

    @staticmethod
    def json_of(shared: IdentifierOut, values: Sequence[str], print_job: JobOut | None) -> str:
        """This answer's JSON for identifiers that differ only in `value`: what they share is
        serialised once (a batch holds up to 100,000), each value is spliced in."""
        head = '{"value":""'
        blank = shared if shared.value == "" else shared.model_copy(update={"value": ""})
        body = blank.model_dump_json(exclude_unset=True)
        assert body.startswith(head), "an identifier's JSON starts with its value"
        rest = body[len(head):]
        items = ",".join('{"value":' + json.dumps(v, ensure_ascii=False) + rest for v in values)
        job = "null" if print_job is None else print_job.model_dump_json(exclude_unset=True)
        return f'{{"identifiers":[{items}],"print_job":{job}}}'


class EventIn(Body):
    """An event to append."""

    type: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    at: dt.datetime | None = None
    data: EventData = {}


class EventTypeIn(TermIn):
    """A custom event type to register: recorded on identifiers, never a status move."""


class EventTypeOut(BaseModel):
    """An event type: built-in ones say after which statuses they may come and which they
    leave; registered ones who registered them."""

    name: str
    description: str
    built_in: bool
    after: list[str] | None
    becomes: str | None
    written_by_service: bool = False
    created_at: str | None = None
    created_by: str | None = None


class EventTypeListOut(BaseModel):
    """Every event type the registry knows."""

    items: list[EventTypeOut]


class EventOut(BaseModel):
    """An event of an identifier."""

    id: int
    type: str
    actor: str
    at: str
    data: dict[str, Any]


class ParseMatch(BaseModel):
    """A scheme version a value fits."""

    scheme: str
    version: int
    fields: dict[str, Any]
    date: dict[str, Any]
    seq: int | None
    check_ok: bool | None


class ParseIn(Body):
    """A value to read back."""

    value: Value


class ParseOut(BaseModel):
    """Which scheme a value fits and what it says."""

    value: str
    registered: bool
    scheme: str | None
    version: int | None
    fields: dict[str, Any] | None
    date: dict[str, Any] | None
    seq: int | None
    check_ok: bool | None
    matches: list[ParseMatch]


class RecordOut(IdentifierOut):
    """An identifier with its events, components, lot, parse and the active holds on it (its
    own, its lot's, and propagating ones on what it is made from)."""

    events: list[EventOut]
    holds: list[HoldOut]
    components: list[IdentifierOut]
    lot_record: IdentifierOut | None
    parse: ParseOut


class IdentifierListOut(BaseModel):
    """A page of identifiers."""

    items: list[IdentifierOut]
    next_cursor: str | None


class SearchQuery(Query):
    """Identifier search filters."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    scheme: SchemeName | None = None
    kind: Kind | None = None
    lot: Value | None = None
    status: Status | None = None
    model: Text | None = None
    site: Text | None = None
    issued_from: DateOrTime | None = Field(None, alias="from")
    issued_to: DateOrTime | None = Field(None, alias="to")
    expires_before: dt.date | None = None
    supplier_lot: Text | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    cursor: Cursor | None = None




class TraceQuery(PageQuery):
    """Trace direction: down = what it is made of, up = what contains it."""

    direction: Literal["up", "down"] = "down"


class RecallQuery(PageQuery):
    """The identifier being recalled."""

    identifier: Value


class TraceItem(IdentifierOut):
    """An identifier reached by a trace, how deep and through which identifier."""

    depth: int
    via: str


class TraceOut(BaseModel):
    """A trace or recall answer."""

    identifier: IdentifierOut
    items: list[TraceItem]
    next_cursor: str | None


class VoidIn(Body):
    """Why an identifier is voided."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ComponentsIn(Body):
    """What an identifier was made from."""

    components: Annotated[list[Value], Field(min_length=1, max_length=1000)]


class ScanIn(Body):
    """Raw scanner text."""

    data: Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class ElementString(BaseModel):
    """One GS1 element string."""

    ai: str
    title: str
    data: str


class ScanError(BaseModel):
    """What is wrong with scanned GS1 data: the AI (null for the whole text) and the rule."""

    ai: str | None
    message: str
    level: Literal["element", "message"]


class ScanMatch(BaseModel):
    """A value of the scan looked up in the registry: from an AI's data, or the plain value."""

    ai: str | None
    value: str
    registered: bool


class HibcOut(BaseModel):
    """What an HIBC scan says: its data structures' fields and whether its check is right."""

    structure: Literal["primary", "secondary", "primary+secondary"]
    labeler: str | None
    product: str | None
    uom: str | None
    lot: str | None
    serial: str | None
    expiry: dt.date | None
    manufactured: dt.date | None
    quantity: int | None
    link: str | None
    check_ok: bool


class ScanOut(BaseModel):
    """What a scan says and the records it names.

    `kind` says how the text was read; `valid` is false when the GS1 data breaks a rule of the
    General Specifications (`errors` name the AI and the rule), and the data is still shown.
    """

    kind: Literal["gs1", "gs1-hri", "digital-link", "plain", "hibc"]
    symbology: str
    symbology_identifier: str | None
    valid: bool
    errors: list[ScanError]
    element_strings: list[ElementString]
    value: str | None
    matches: list[ScanMatch]
    records: list[IdentifierOut]
    parsed: list[ParseOut]
    hibc: HibcOut | None = None





class UserOut(BaseModel):
    """A person's account as an administrator sees it: never a password or its hash."""

    username: str
    display_name: str
    roles: list[str]
    disabled: bool
    locked_until: str | None
    created_at: str
    created_by: str
    password_changed_at: str


class UserListOut(BaseModel):
    """People's accounts, by username."""

    items: list[UserOut]
    next_cursor: str | None
