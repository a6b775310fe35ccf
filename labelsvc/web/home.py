"""Sign in with a username and password or an API token, sign out, and the home page."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, session, url_for

from labelsvc.appcontext import database
from labelsvc.errors import Unauthorized
from labelsvc.services import people, tokens, web_sessions
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
    return render("login.html", next=request.args.get("next", ""), errors={}, username="")


@bp.post("/login")
def sign_in() -> Response:
    """Check the password (or the token) and start a session for the person (or token)."""
    target = request.form.get("next", "")
    username = request.form.get("username", "").strip()
    try:
        if "token" in request.form:
            who = tokens.authenticate(database(), request.form["token"].strip() or None)
        else:
            who = people.sign_in(database(), username, request.form.get("password", "")).actor()
    except Unauthorized as exc:
        field = "token" if "token" in request.form else "password"
        return render("login.html", 401, next=target, errors={field: exc.detail},
                      username=username)
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
