"""The web pages: sign-in, schemes, issuing, receiving, lookup, recall, printers, labels and
the audit trail."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

from labelsvc.appcontext import ERROR_PAGE, PUBLIC_PAGE, database
from labelsvc.contract.values import refuse_nul
from labelsvc.errors import Forbidden, NotFound, Unauthorized
from labelsvc.services import tokens, web_sessions
from labelsvc.services.public_view import PublicUnit
from labelsvc.web import audit, common, home, issue, labels, lookup, printing, schemes
from labelsvc.web.common import SignInNeeded, can, csrf_token, render, signed_in

log = logging.getLogger(__name__)

SECRET_FILE = "secret_key"
SESSION_HOURS = 12
# Paths that never use the session: the API and the probes.
NO_SESSION_PATHS = ("/api/", "/healthz", "/readyz")
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; connect-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")

bp = Blueprint("web", __name__, static_folder="static", static_url_path="/assets",
               template_folder="pages")
for child in (home.bp, schemes.bp, issue.bp, lookup.bp, printing.bp, labels.bp, audit.bp):
    bp.register_blueprint(child)


def load_or_create_secret(data_dir: str) -> str:
    """Read the session key from the data folder, creating it once (safe between processes)."""
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # atomic: exactly one process's key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it or set LABELSVC_SECRET_KEY")
    return key


class KeyedSessions(SecureCookieSessionInterface):
    """Signed session cookies whose key is made only when a page first needs one."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Resolve the key lazily so API-only deployments never write a key file."""
        if not app.secret_key:
            if request.path.startswith(NO_SESSION_PATHS):
                return None
            app.secret_key = load_or_create_secret(app.config["DATA_DIR"])
        return super().get_signing_serializer(app)


def _find_actor() -> None:
    """Find the actor signed in to this session, if any."""
    g.web_actor = None
    key = session.get("sid")
    if isinstance(key, str):
        g.web_actor = web_sessions.resume(
            database(), key, idle_minutes=float(current_app.config["SESSION_IDLE_MINUTES"]))
        if g.web_actor is None:  # signed out, idle too long, or its token revoked
            session.clear()


@bp.before_request
def _load_session() -> Response | None:
    """Find the signed-in actor, check the CSRF token of every write, and refuse a NUL
    character in any address, query or form value (PostgreSQL cannot store one)."""
    _find_actor()
    common.check_csrf()
    refuse_nul({**(request.view_args or {}), **request.args.to_dict(),
                **request.form.to_dict()})
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    """Keep pages out of caches and frames; scripts and styles only from this service."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "web.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _sign_in_needed(_exc: Exception) -> Response:
    """Send a visitor without a session to the sign-in page."""
    return common.login_redirect()


def _forbidden(exc: Forbidden) -> Response:
    """Explain, in plant words, that this role may not do that."""
    return render("error.html", 403, title="Not allowed", detail=exc.detail)


def _not_found(exc: NotFound) -> Response:
    """Say what was not found."""
    return render("error.html", 404, title="Not found", detail=exc.detail)


def _failed(exc: Exception) -> Response:
    """Answer a page error: a refusal in plant words, anything else a logged 500."""
    if isinstance(exc, HTTPException):
        return render("error.html", exc.code or 500, title=exc.name,
                      detail=exc.description or exc.name)
    try:
        detail, _ = common.refusal(exc)
    except Exception:  # noqa: BLE001 - an unexpected error is logged and answered 500
        log.exception("unexpected error answering %s %s", request.method, request.path)
        return render("error.html", 500, title="Something went wrong",
                      detail="the page failed; the error is logged")
    return render("error.html", 422, title="Refused", detail=detail)


def error_page(status: int, title: str, detail: str) -> Response:
    """The error page a browser gets where no page answered (an unknown address, a wrong
    method): the status and what went wrong, with the menu of whoever is signed in."""
    if "web_actor" not in g:
        try:
            _find_actor()
        except Exception:  # noqa: BLE001 - the registry may be what failed; show no menu
            g.web_actor = None
    return _headers(render("error.html", status, title=f"{status} {title}", detail=detail))


def public_page(unit: PublicUnit) -> Response:
    """A unit's public Digital Link page: no session, no menu, only what is public."""
    return _headers(render("public_unit.html", unit=unit))


bp.register_error_handler(SignInNeeded, _sign_in_needed)
bp.register_error_handler(Unauthorized, _sign_in_needed)
bp.register_error_handler(Forbidden, _forbidden)
bp.register_error_handler(NotFound, _not_found)
bp.register_error_handler(Exception, _failed)


def _template_globals() -> dict[str, Any]:
    """What every page may use: the user, role checks, CSRF and today's date."""
    return {"current_actor": signed_in(), "can": can, "csrf_token": csrf_token,
            "caps": tokens, "today": dt.date.today()}


def init_app(app: Flask) -> None:
    """Register the pages and make the session cookie safe."""
    app.session_interface = KeyedSessions()
    app.config["SESSION_COOKIE_NAME"] = "labelsvc_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=SESSION_HOURS)
    app.register_blueprint(bp)
    app.context_processor(_template_globals)
    app.extensions[ERROR_PAGE] = error_page
    app.extensions[PUBLIC_PAGE] = public_page
