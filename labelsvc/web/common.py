"""What every page shares: the signed-in actor, roles, CSRF, form errors and rendering."""

from __future__ import annotations

import functools
import hmac
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Response, g, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict

from labelsvc.errors import Forbidden, problem_for
from labelsvc.services import tokens
from labelsvc.services.tokens import Actor

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInNeeded(Exception):
    """The page needs a signed-in user."""


def signed_in() -> Actor | None:
    """The actor signed in to this session, if any."""
    who: Actor | None = g.get("web_actor")
    return who


def actor() -> Actor:
    """The signed-in actor of a page that requires one."""
    who = signed_in()
    if who is None:
        raise SignInNeeded()
    return who


def can(capability: str) -> bool:
    """Say whether the signed-in role may do something (for showing links and buttons)."""
    who = signed_in()
    return who is not None and capability in who.capabilities


def page(capability: str = tokens.READ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a page: it needs a signed-in user whose role grants `capability`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            actor().require(capability)
            return view(**kwargs)

        return wrapper

    return decorate


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse a write whose form or header does not carry the session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    known = session.get(CSRF_FIELD)
    if not isinstance(known, str) or not hmac.compare_digest(sent.encode(), known.encode()):
        raise Forbidden("this form has expired or did not come from this service; "
                        "reload the page and try again")


def is_fragment() -> bool:
    """Say whether htmx asked for a part of a page rather than a whole one."""
    return request.headers.get("HX-Request") == "true" and \
        request.headers.get("HX-Boosted") != "true"


def refusal(exc: BaseException) -> tuple[str, dict[str, str]]:
    """A service refusal in plant words: its detail and its messages per field path."""
    problem = problem_for(exc)
    if problem is None:
        raise exc
    return str(problem["detail"]), dict(problem.get("errors") or {})


def render(name: str, status: int = 200, /, **context: Any) -> Response:
    """Render a page or fragment."""
    return Response(render_template(name, **context), status=status, mimetype="text/html")


def login_redirect() -> Response:
    """Send the browser to the sign-in page, back here afterwards."""
    back = request.full_path.rstrip("?") if request.method == "GET" else request.path
    target = url_for("web.home.login") + "?" + urlencode({"next": back})
    if is_fragment():
        return Response("", 200, headers={"HX-Redirect": target})
    return redirect(target)  # type: ignore[return-value]


# A path on this service: printable ASCII without spaces, not `//host` or `/\host`. Browsers
# drop tabs and newlines from an address, so `/<TAB>/host` would become `//host`.
_LOCAL_PATH = re.compile(r"/(?![/\\])[!-~]*")


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path on this service, never another site."""
    if target and _LOCAL_PATH.fullmatch(target) and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.home.index")


def form_fields(form: MultiDict[str, str], prefix: str = "fields.") -> dict[str, str]:
    """The request fields of a form, named `fields.NAME`; blank ones left out."""
    return {key[len(prefix):]: value.strip() for key, value in form.items()
            if key.startswith(prefix) and value.strip()}


def whole_number(form: MultiDict[str, str], name: str, default: int | None,
                 errors: dict[str, str]) -> int | None:
    """Read a whole number from a form; note an error when it is not one."""
    raw = form.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        errors[name] = "a whole number, e.g. 1"
        return default
