"""People's accounts, for administrators: read only (accounts are made on the command line)."""

from __future__ import annotations

from flask import Blueprint, Response

from labelsvc.api.http import endpoint, json_response
from labelsvc.appcontext import database
from labelsvc.contract.common import PageQuery
from labelsvc.contract.models import UserListOut
from labelsvc.services import people, tokens

bp = Blueprint("users", __name__, url_prefix="/api/v1")


@bp.get("/users")
@endpoint(capability=tokens.MANAGE_USERS, query=PageQuery, answers={200: UserListOut},
          tags=("users",))
def list_(query: PageQuery) -> Response:
    """List people's accounts with their roles and state (admin); never a password hash."""
    return json_response(people.list_users(database(), limit=query.limit, cursor=query.cursor))
