"""The registry's tables as typed SQLAlchemy models."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)
# Identifier columns indexed only where they hold a value (migration 0005).
SPARSE_IDENTIFIER_COLUMNS = ("lot_id", "expiry", "supplier_lot", "model", "site")


class Base(DeclarativeBase):
    """Declarative base of the registry models."""


class Scheme(Base):
    """A numbering scheme by name; its definitions live in `SchemeVersion`."""

    __tablename__ = "schemes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    current_version: Mapped[int] = mapped_column(Integer)
    seeded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))


class SchemeVersion(Base):
    """One immutable version of a scheme definition."""

    __tablename__ = "scheme_versions"
    __table_args__ = (UniqueConstraint("scheme_id", "version", name="uq_scheme_versions_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))


class Counter(Base):
    """The next value of one counter of a scheme (shared by all its versions)."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("scheme_id", "key", name="uq_counters_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    key: Mapped[str] = mapped_column(String(300))
    next: Mapped[int] = mapped_column(BigInteger)
    skipped: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class CounterSkip(Base):
    """A counter value passed over because its identifier was already issued elsewhere."""

    __tablename__ = "counter_skips"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(Timestamp)


class Identifier(Base):
    """An issued serial or lot: the system of record, unique by value."""

    __tablename__ = "identifiers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    value: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    scheme_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    production_date: Mapped[dt.date] = mapped_column(Date)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    seq: Mapped[int | None] = mapped_column(BigInteger)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("identifiers.id"))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    quantity: Mapped[Any | None] = mapped_column(Numeric(18, 6))
    uom: Mapped[str | None] = mapped_column(String(20))
    expiry: Mapped[dt.date | None] = mapped_column(Date)
    supplier: Mapped[str | None] = mapped_column(String(200))
    supplier_lot: Mapped[str | None] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200))
    site: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)
    issued_by: Mapped[str] = mapped_column(String(100))
    shipped_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    warranty_days: Mapped[int | None] = mapped_column(Integer)

    # Columns most identifiers leave empty (serials outside lots, no expiry, no supplier lot)
    # are indexed only where they hold a value: issuing writes fewer index entries per row.
    __table_args__ = tuple(
        Index(f"ix_identifiers_{column}", column, postgresql_where=text(f"{column} IS NOT NULL"),
              sqlite_where=text(f"{column} IS NOT NULL"))
        for column in SPARSE_IDENTIFIER_COLUMNS)


class Event(Base):
    """Something that happened to an identifier; rows are only ever added."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    identifier_id: Mapped[int] = mapped_column(ForeignKey("identifiers.id"), index=True)
    type: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class GenealogyLink(Base):
    """"`parent` was made from `component`"."""

    __tablename__ = "genealogy"
    __table_args__ = (UniqueConstraint("parent_id", "component_id", name="uq_genealogy_link"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("identifiers.id"))
    component_id: Mapped[int] = mapped_column(ForeignKey("identifiers.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))


class IdempotencyRecord(Base):
    """The first answer to a request sent with an Idempotency-Key."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_idempotency_key"),
                      UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # A key belongs to a token (the API, a token's web session) or to a signed-in person.
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)


class User(Base):
    """A person's account: roles, an argon2 password hash (never the password), disabled or
    locked after failed sign-ins in a row."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)  # kept in lower case
    display_name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON)
    password_hash: Mapped[str] = mapped_column(String(200))
    password_changed_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))


class ApiToken(Base):
    """An API token, stored as its SHA-256 hash; it may belong to a person (`owner_id`)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RegisteredTerm:
    """The columns of a word an admin adds to a built-in vocabulary: name, what it means,
    who added it and when."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))


class EventType(RegisteredTerm, Base):
    """An event type an admin registered (inspected, repaired, …): recorded, never a status."""

    __tablename__ = "event_types"


class ReprintReason(RegisteredTerm, Base):
    """A reason to print a label again that an admin registered, beside the built-in ones."""

    __tablename__ = "reprint_reasons"


class PublicView(Base):
    """What a scheme's units show anyone who follows their GS1 Digital Link (an admin's list of
    fields; without a row, only that the unit exists and its status)."""

    __tablename__ = "public_views"
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), primary_key=True)
    fields: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_by: Mapped[str] = mapped_column(String(100))


class WebSession(Base):
    """A signed-in browser: the hash of its cookie's key, whose token or person, when last
    seen and when (and why) it ended — signed out, idle, its token revoked or its person
    disabled."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    seen_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    ended_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    ended_why: Mapped[str | None] = mapped_column(String(20))


class Hold(Base):
    """A hold on a lot or serial: placed with a reason, released with one; while active, it
    and what it holds cannot be issued into, printed, shipped or consumed."""

    __tablename__ = "holds"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    identifier_id: Mapped[int] = mapped_column(ForeignKey("identifiers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    propagate: Mapped[bool] = mapped_column(Boolean)
    placed_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    placed_by: Mapped[str] = mapped_column(String(100))
    released_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    released_by: Mapped[str | None] = mapped_column(String(100))
    release_reason: Mapped[str | None] = mapped_column(String(500))

    # The active holds are few and read before every print, shipment and issue into a lot.
    __table_args__ = (Index("ix_holds_active", "identifier_id",
                            postgresql_where=text("released_at IS NULL"),
                            sqlite_where=text("released_at IS NULL")),)


schemes = cast(Table, Scheme.__table__)
scheme_versions = cast(Table, SchemeVersion.__table__)
counters = cast(Table, Counter.__table__)
counter_skips = cast(Table, CounterSkip.__table__)
identifiers = cast(Table, Identifier.__table__)
events = cast(Table, Event.__table__)
genealogy = cast(Table, GenealogyLink.__table__)
idempotency_records = cast(Table, IdempotencyRecord.__table__)
api_tokens = cast(Table, ApiToken.__table__)
users = cast(Table, User.__table__)
web_sessions = cast(Table, WebSession.__table__)
public_views = cast(Table, PublicView.__table__)
event_types = cast(Table, EventType.__table__)
holds = cast(Table, Hold.__table__)
reprint_reasons = cast(Table, ReprintReason.__table__)


class Printer(Base):
    """A label printer: its driver and settings, location, last status and worker lease."""

    __tablename__ = "printers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    driver: Mapped[str] = mapped_column(String(50))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    dpi: Mapped[int] = mapped_column(Integer)
    media: Mapped[dict[str, Any]] = mapped_column(JSON)
    location: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    status: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status_reason: Mapped[str | None] = mapped_column(String(50))
    checked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    lease_epoch: Mapped[int] = mapped_column(BigInteger, default=0)


class PrintJob(Base):
    """A durable print job: labels for one printer and template, delivered in order."""

    __tablename__ = "print_jobs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"), index=True)
    template: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)  # pinned: 0 is the shipped file
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(String(50))
    detail: Mapped[str | None] = mapped_column(Text)
    copies: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    printed: Mapped[int] = mapped_column(Integer, default=0)
    reprint_of: Mapped[int | None] = mapped_column(BigInteger)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    request_id: Mapped[str | None] = mapped_column(String(128))


class PrintJobLabel(Base):
    """One label of a job (an identifier and a copy number), with its delivery state."""

    __tablename__ = "print_job_labels"
    job_id: Mapped[int] = mapped_column(ForeignKey("print_jobs.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifier_id: Mapped[int] = mapped_column(ForeignKey("identifiers.id"), index=True)
    copy: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    sends: Mapped[int] = mapped_column(Integer, default=0)
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    scheme_version: Mapped[int] = mapped_column(Integer)
    reprint_no: Mapped[int] = mapped_column(Integer, default=0)  # n-th reprint; 0: first print
    reason: Mapped[str | None] = mapped_column(String(50))  # why it is printed again


class LabelPrint(Base):
    """The evidence of one label sent to a printer (each copy, each send): what was merged,
    with which template version, and the SHA-256 of the exact bytes handed to the driver."""

    __tablename__ = "label_prints"
    __table_args__ = (Index("ix_label_prints_identifier_id", "identifier_id", "id"),
                      Index("ix_label_prints_job_id", "job_id", "position"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("print_jobs.id"))
    position: Mapped[int] = mapped_column(Integer)
    identifier_id: Mapped[int] = mapped_column(ForeignKey("identifiers.id"))
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"))
    template: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    scheme_version: Mapped[int] = mapped_column(Integer)
    copy: Mapped[int] = mapped_column(Integer)
    send: Mapped[int] = mapped_column(Integer)
    reprint_no: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(50))
    sent_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor: Mapped[str] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(String(10))
    dpi: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class PrinterLease(Base):
    """Who drove a printer and when: one row per lease taken, so overlaps can be audited."""

    __tablename__ = "printer_leases"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"), index=True)
    epoch: Mapped[int] = mapped_column(BigInteger)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    released_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


printers = cast(Table, Printer.__table__)
print_jobs = cast(Table, PrintJob.__table__)
print_job_labels = cast(Table, PrintJobLabel.__table__)
printer_leases = cast(Table, PrinterLease.__table__)
label_prints = cast(Table, LabelPrint.__table__)


class LabelTemplate(Base):
    """A stored label template by name (a layout or a ZPL format); versions hold definitions."""

    __tablename__ = "label_templates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))


class LabelTemplateVersion(Base):
    """One immutable version of a label template: `label` elements or a `zpl` format."""

    __tablename__ = "label_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version",
                                       name="uq_label_template_versions_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("label_templates.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100))


label_templates = cast(Table, LabelTemplate.__table__)
label_template_versions = cast(Table, LabelTemplateVersion.__table__)


class AuditRow(Base):
    """One governed change (who, when, what, before and after), hash-chained to the row before
    it; rows are only ever added (triggers refuse UPDATE and DELETE, migration 0011)."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_target", "target_kind", "target_name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    actor_token: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_kind: Mapped[str] = mapped_column(String(50))
    target_name: Mapped[str] = mapped_column(String(200))
    target_id: Mapped[str | None] = mapped_column(String(100))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChain(Base):
    """The chain's head: the last row's id and hash (one row, id 1). Appends lock it in turn;
    it only moves forward, one row at a time, to a row that exists."""

    __tablename__ = "audit_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


audit = cast(Table, AuditRow.__table__)
audit_chain = cast(Table, AuditChain.__table__)
