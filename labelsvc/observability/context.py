"""The request id of the work in hand: set per HTTP request, and per print job in a worker."""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "labelsvc_request_id", default=None)

# Accepted from X-Request-ID: what load balancers and tracing systems send (UUIDs, hex, W3C).
_ACCEPTED = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


def current_request_id() -> str | None:
    """The request id of the request or print job being handled, if any."""
    return _request_id.get()


def new_request_id() -> str:
    """Make a fresh request id."""
    return uuid.uuid4().hex


def accepted_request_id(header: str | None) -> str:
    """Keep a caller's X-Request-ID when it is a sane token; otherwise make one."""
    if header and _ACCEPTED.fullmatch(header):
        return header
    return new_request_id()


def bind_request_id(value: str | None) -> contextvars.Token[str | None]:
    """Make `value` the current request id; hand back the token that undoes it."""
    return _request_id.set(value)


def unbind_request_id(token: contextvars.Token[str | None]) -> None:
    """Restore the request id that was current before `bind_request_id`."""
    _request_id.reset(token)


@contextmanager
def request_id_bound(value: str | None) -> Iterator[None]:
    """Run a block (a print job's delivery) under a request id."""
    token = bind_request_id(value)
    try:
        yield
    finally:
        unbind_request_id(token)
