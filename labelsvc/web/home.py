"""Sign in with an API token, sign out, and the home page of each role."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, session, url_for

from labelsvc.appcontext import database
from labelsvc.errors import Unauthorized
from labelsvc.services import tokens, web_sessions
from labelsvc.web.common import csrf_token, page, render, safe_next, signed_in

bp = Blueprint("home", __name__)


@bp.get("/")
@page()
def index() -> Response:
    """Show what the signed-in role can do."""
    return render("home.html")


@bp.get("/login")
def login() -> Response:
    """Show the sign-in form."""
    if signed_in() is not None and not request.args.get("next"):
        return redirect(url_for("web.home.index"))  # type: ignore[return-value]
    return render("login.html", next=request.args.get("next", ""), errors={})


@bp.post("/login")
def sign_in() -> Response:
    """Check the token and start a session for its actor."""
    target = request.form.get("next", "")
    try:
        who = tokens.authenticate(database(), request.form.get("token", "").strip() or None)
    except Unauthorized as exc:
        return render("login.html", 401, next=target, errors={"token": exc.detail})
    session.clear()
    session.permanent = True
    session["sid"] = web_sessions.start(database(), who)
    csrf_token()
    return redirect(safe_next(target))  # type: ignore[return-value]


@bp.post("/logout")
def sign_out() -> Response:
    """End the session, in the registry too: the cookie is worth nothing from now on."""
    key = session.get("sid")
    if isinstance(key, str):
        web_sessions.end(database(), key, signed_in())
    session.clear()
    return redirect(url_for("web.home.login"))  # type: ignore[return-value]
