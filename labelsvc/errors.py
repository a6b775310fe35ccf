"""Domain errors and the one table that maps each to an HTTP status and problem type."""

from __future__ import annotations

from typing import Any

import pydantic
from sqlalchemy.exc import OperationalError

from numbering import NumberingError, ParseError, SequenceExhausted

PROBLEM_TYPE_BASE = "urn:labelsvc:problem:"


class LabelsvcError(Exception):
    """Base of every error the service answers in plant words."""

    def __init__(self, detail: str, errors: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra


class InvalidJson(LabelsvcError):
    """The body is not JSON (or not UTF-8)."""


class UnsupportedMediaType(LabelsvcError):
    """The body is sent with a content type we do not read."""


class ValidationFailed(LabelsvcError):
    """A well-formed request asks for something invalid."""


class NotFound(LabelsvcError):
    """No such scheme, identifier or route."""


class SchemeExists(LabelsvcError):
    """A scheme of that name is already defined."""


class SchemeOverlap(LabelsvcError):
    """A new scheme could produce values another scheme produces."""


class CounterExhausted(LabelsvcError):
    """A counter has no values left for the request."""


class IdentifierCollision(LabelsvcError):
    """Random values kept colliding with values already issued."""


class AlreadyVoided(LabelsvcError):
    """The identifier is voided already."""


class IdempotencyConflict(LabelsvcError):
    """An Idempotency-Key is reused for a different request."""


class Unauthorized(LabelsvcError):
    """No valid API token."""


class Forbidden(LabelsvcError):
    """The token's role may not do this."""


class JobFinished(LabelsvcError):
    """The print job is finished and cannot change."""


class InvalidTransition(LabelsvcError):
    """What is asked of an identifier does not follow from its status (a scrapped unit
    shipped, a voided serial printed)."""


class EventTypeExists(LabelsvcError):
    """An event type of that name is known already."""


class OnHold(LabelsvcError):
    """The identifier is on hold (its own, its lot's, or one made from it): it cannot be
    issued into, printed, shipped or consumed until the hold is released."""


class AlreadyReleased(LabelsvcError):
    """The hold named is released already."""


class NotOnHold(LabelsvcError):
    """The identifier has no active hold of its own to release."""
class ReprintReasonExists(LabelsvcError):
    """A reprint reason of that name is known already."""


class ReprintLimit(LabelsvcError):
    """An identifier was printed again as often as the plant allows without a second person's
    signature (LABELSVC_REPRINT_LIMIT)."""


# error class -> (HTTP status, problem slug, title)
PROBLEMS: dict[type[Exception], tuple[int, str, str]] = {
    InvalidJson: (400, "invalid-json", "Malformed JSON"),
    UnsupportedMediaType: (415, "unsupported-media-type", "Unsupported media type"),
    ValidationFailed: (422, "validation-error", "Invalid request"),
    pydantic.ValidationError: (422, "validation-error", "Invalid request"),
    ParseError: (422, "validation-error", "Invalid request"),
    NotFound: (404, "not-found", "Not found"),
    SchemeExists: (409, "scheme-exists", "Scheme exists"),
    SchemeOverlap: (409, "scheme-overlap", "Scheme overlaps another"),
    CounterExhausted: (409, "sequence-exhausted", "Sequence exhausted"),
    SequenceExhausted: (409, "sequence-exhausted", "Sequence exhausted"),
    NumberingError: (422, "validation-error", "Invalid request"),
    IdentifierCollision: (409, "identifier-collision", "Identifier collision"),
    AlreadyVoided: (409, "already-voided", "Already voided"),
    IdempotencyConflict: (422, "idempotency-conflict", "Idempotency key reused"),
    Unauthorized: (401, "unauthorized", "Unauthorized"),
    Forbidden: (403, "forbidden", "Forbidden"),
    JobFinished: (409, "job-finished", "Job finished"),
    InvalidTransition: (409, "invalid-transition", "Not allowed in this status"),
    EventTypeExists: (409, "event-type-exists", "Event type exists"),
    OnHold: (409, "on-hold", "On hold"),
    AlreadyReleased: (409, "already-released", "Hold released already"),
    NotOnHold: (409, "not-on-hold", "Not on hold"),
    ReprintReasonExists: (409, "reprint-reason-exists", "Reprint reason exists"),
    ReprintLimit: (403, "reprint-limit", "Reprint limit reached"),
    OperationalError: (503, "service-unavailable", "Service unavailable"),
}


def pydantic_errors(exc: pydantic.ValidationError, prefix: str = "") -> dict[str, str]:
    """Turn pydantic errors into `{field.path: message}`."""
    out: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        path = ".".join(str(part) for part in err.get("loc", ())
                        if part != "__root__" and "[" not in str(part))
        key = ".".join(p for p in (prefix, path) if p) or (prefix or "body")
        message = str(err.get("msg", "invalid"))
        message = message.removeprefix("Value error, ")
        out.setdefault(key, message)
    return out


def lookup(exc: BaseException) -> tuple[int, str, str] | None:
    """Find the status, slug and title for an error, most specific class first."""
    for cls in type(exc).__mro__:
        if cls in PROBLEMS:
            return PROBLEMS[cls]
    return None


def problem_body(status: int, slug: str, title: str, detail: str,
                 errors: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """Build an RFC 9457 problem document."""
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + slug, "title": title,
                            "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def problem_for(exc: BaseException) -> dict[str, Any] | None:
    """Describe a known error as a problem document, or None for an unexpected one."""
    found = lookup(exc)
    if found is None:
        return None
    status, slug, title = found
    if isinstance(exc, LabelsvcError):
        return problem_body(status, slug, title, exc.detail, exc.errors, **exc.extra)
    if isinstance(exc, pydantic.ValidationError):
        errors = pydantic_errors(exc)
        return problem_body(status, slug, title, "; ".join(f"{k}: {v}" for k, v in errors.items()),
                            errors)
    if isinstance(exc, OperationalError):
        return problem_body(status, slug, title,
                            "the registry database does not answer; try again shortly")
    field = getattr(exc, "field", None) or "value"
    detail = str(exc)
    errors = {} if isinstance(exc, SequenceExhausted) else {field: detail}
    return problem_body(status, slug, title, detail, errors)


class PrinterExists(LabelsvcError):
    """A printer of that name is already defined."""


PROBLEMS[PrinterExists] = (409, "printer-exists", "Printer exists")


class TemplateExists(LabelsvcError):
    """A label template of that name is already defined (stored or shipped)."""


PROBLEMS[TemplateExists] = (409, "template-exists", "Template exists")


class UserExists(LabelsvcError):
    """A person (or a token) of that name is known already."""


class BadSignature(LabelsvcError):
    """An electronic signature's password does not match its person."""


class AccountDisabled(LabelsvcError):
    """The person's account is disabled: it signs in and signs nothing."""


class AccountLocked(LabelsvcError):
    """Too many failed attempts in a row: the account waits out its lock."""


PROBLEMS[UserExists] = (409, "user-exists", "User exists")
PROBLEMS[BadSignature] = (401, "bad-signature", "Signature refused")
PROBLEMS[AccountDisabled] = (403, "account-disabled", "Account disabled")
PROBLEMS[AccountLocked] = (403, "account-locked", "Account locked")
