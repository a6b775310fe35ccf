"""A new scheme version defined by one process is what every other process issues under."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from labelsvc import create_app

PATTERN = "VX{model}{seq:4}"


@pytest.fixture
def other_process(database_url: str) -> Iterator[Flask]:
    """A second application on the same database, as another service process would be."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "PREPARE_DATABASE": False,
                      "PRINT_WORKER": False, "ACCESS_LOG": False, "LOG_LEVEL": "WARNING"})
    yield app
    app.extensions["labelsvc.db"].dispose()


def _issue(client: Any, token: str, scheme: str, model: str) -> Any:
    return client.post("/api/v1/serials", json={"scheme": scheme, "fields": {"model": model}},
                       headers={"Authorization": f"Bearer {token}"})


def _two_versions(api: Any, other: Any, token: str, name: str) -> None:
    """Define version 1, let the other process issue under it, then define version 2."""
    codes = {"model": {"A": "1", "B": "2"}}
    definition = {"name": name, "kind": "serial", "pattern": PATTERN.replace("VX", name.upper()),
                  "charset": "0-9", "codes": codes}
    assert api.post("/api/v1/schemes", definition).status_code == 201
    first = _issue(other, token, name, "A")            # the other process learns version 1
    assert first.status_code == 201 and first.get_json()["identifiers"][0]["version"] == 1
    codes = {"model": {"A": "5", "B": "2", "C": "3"}}  # version 2: A prints 5, C is new
    assert api.put(f"/api/v1/schemes/{name}", {**definition, "codes": codes}).status_code == 200


def test_a_value_built_under_the_old_version_is_never_issued(
        api: Any, tokens: dict[str, str], other_process: Flask) -> None:
    other = other_process.test_client()
    _two_versions(api, other, tokens["line"], "va")
    moved = _issue(other, tokens["line"], "va", "A")   # valid under both: built again under 2
    assert moved.status_code == 201, moved.get_json()
    item = moved.get_json()["identifiers"][0]
    assert item["version"] == 2 and item["value"].startswith("VA5")


def test_a_code_only_the_new_version_knows_is_accepted(
        api: Any, tokens: dict[str, str], other_process: Flask) -> None:
    other = other_process.test_client()
    _two_versions(api, other, tokens["line"], "vb")
    new_code = _issue(other, tokens["line"], "vb", "C")
    assert new_code.status_code == 201, new_code.get_json()
    item = new_code.get_json()["identifiers"][0]
    assert item["version"] == 2 and item["value"].startswith("VB3")
    unknown = _issue(other, tokens["line"], "vb", "Z")
    assert unknown.status_code == 422
    assert "fields.model" in unknown.get_json()["errors"]
