"""The label templates print jobs use, found by name."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection

from templates import Template, shipped_templates


@cache
def _shipped() -> dict[str, Template]:
    """The shipped templates, read once per process."""
    return shipped_templates()


def find_template(conn: Connection, name: str) -> Template | None:
    """The template of that name, or None when there is none."""
    return _shipped().get(name)


def template_exists(conn: Connection, name: str) -> bool:
    """Say whether a template of that name exists."""
    return find_template(conn, name) is not None
