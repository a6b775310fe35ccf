"""Printers may only point where printers are: a printer whose address is link-local, cloud
metadata, multicast, off the plant's networks, the service itself or its database is a 422
naming the setting, and nothing is stored; defining a printer connects to nothing. Both
databases."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from sqlalchemy.engine import make_url

import printers.addresses
from labelsvc.services.printers import address_policy
from printers import AddressRefused

pytestmark = pytest.mark.xdist_group("api-printer-addresses")
PLANT = "printers must be on the plant networks 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"
_names = iter(range(1, 10_000))


def _define(api: Any, **body: Any) -> Any:
    return api.post("/api/v1/printers", {"name": f"addr-{next(_names)}", "driver": "zpl-tcp",
                                         **body})


def _refused(api: Any, problem: Any, field: str = "host", **body: Any) -> str:
    """Assert a 422 naming `field`; return its message, after checking nothing was stored."""
    before = api.get("/api/v1/printers?limit=1000").get_json()["items"]
    answer = problem(_define(api, **body), 422, "validation-error")
    assert list(answer["errors"]) == [field], answer
    assert api.get("/api/v1/printers?limit=1000").get_json()["items"] == before
    message: str = answer["errors"][field]
    assert message in answer["detail"]
    return message


@pytest.mark.parametrize(("host", "says"), [
    ("169.254.169.254", "169.254.169.254 is a link-local address (where cloud metadata "
                        "services answer), never a printer's; " + PLANT),
    ("fd00:ec2::254", "fd00:ec2::254 is a cloud metadata address"),
    ("fe80::1", "is a link-local address"),
    ("0.0.0.0", "is an unspecified address"),
    ("224.0.0.1", "is a multicast address"),
    ("255.255.255.255", "is the broadcast address"),
    ("8.8.8.8", "8.8.8.8 is not on the plant's printer networks; " + PLANT),
    ("2001:db8::9", "is not on the plant's printer networks"),
])
def test_an_address_printers_may_not_have_is_refused(api: Any, problem: Any, host: str,
                                                     says: str) -> None:
    assert says in _refused(api, problem, host=host, port=9100)


def test_the_setting_is_checked_wherever_it_is_written(api: Any, problem: Any) -> None:
    assert "link-local" in _refused(api, problem, settings={"host": "169.254.169.254"})
    assert "link-local" in _refused(api, problem, driver="ipp", host="169.254.169.254")


def test_a_host_name_is_refused_when_any_of_its_addresses_is(
        api: Any, problem: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    table = {"zebra-9.plant.example": ["10.40.0.9", "169.254.169.254"],
             "zebra-10.plant.example": ["10.40.0.10", "fd00:40::10"]}
    monkeypatch.setattr(printers.addresses, "resolve_host", lambda host, port: table[host])
    says = _refused(api, problem, host="zebra-9.plant.example")
    assert says.startswith("zebra-9.plant.example resolves to 169.254.169.254, which is a "
                           "link-local address")
    answer = _define(api, host="zebra-10.plant.example")
    assert answer.status_code == 201, answer.get_json()


def test_a_host_name_that_does_not_resolve_is_refused(api: Any, problem: Any) -> None:
    says = _refused(api, problem, host="no-such-printer.invalid")
    assert says.startswith("printer host no-such-printer.invalid is not found in DNS")


def test_the_service_itself_is_not_a_printer(api: Any, app: Any, problem: Any) -> None:
    port = int(app.config["PORT"])
    for host in ("127.0.0.1", "localhost", "127.0.0.2", "::1"):
        says = _refused(api, problem, field="port", host=host, port=port)
        assert f":{port} is this service's own address (LABELSVC_HOST, LABELSVC_PORT), " \
               "not a printer" in says
    assert _define(api, host="127.0.0.1", port=port + 1).status_code == 201


def test_the_registry_database_is_not_a_printer(api: Any, app: Any, problem: Any) -> None:
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":  # a file: no network address to keep clear
        assert _define(api, host="127.0.0.1", port=5432).status_code == 201
        return
    says = _refused(api, problem, field="port", host=url.host, port=url.port or 5432)
    assert "is the registry database (LABELSVC_DATABASE_URL), not a printer" in says


def test_the_default_allows_virtual_printers_and_defining_one_connects_to_nothing(
        api: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        listening.settimeout(0.3)
        port = listening.getsockname()[1]
        for host in ("127.0.0.1", "localhost", "10.1.2.3", "192.168.50.7", "fd00:1::7"):
            answer = _define(api, host=host, port=port)
            assert answer.status_code == 201, answer.get_json()
        with pytest.raises(TimeoutError):
            listening.accept()  # nobody knocked: the port's state is never asked


def test_the_policy_keeps_the_listener_and_the_database_clear_wherever_they_are(
        monkeypatch: pytest.MonkeyPatch) -> None:
    here = socket.gethostname()
    table = {here: ["10.5.0.2"], "db.plant.example": ["10.5.0.5"]}
    monkeypatch.setattr(printers.addresses, "resolve_host", lambda host, port: table[host])
    policy = address_policy({"PRINTER_NETWORKS": ("10.0.0.0/8", "127.0.0.0/8"),
                             "HOST": "0.0.0.0", "PORT": 8123,
                             "DATABASE_URL": "postgresql+psycopg://u:pw@db.plant.example:6543/r"})
    for host, port, says in (("10.5.0.2", 8123, "this service's own address"),
                             ("127.0.0.1", 8123, "this service's own address"),
                             (here, 8123, "this service's own address"),
                             ("db.plant.example", 6543, "the registry database")):
        with pytest.raises(AddressRefused, match=says):
            policy.allowed(host, port)
    for host, port in (("10.5.0.2", 9100), ("10.5.0.5", 5432), ("127.0.0.1", 8124)):
        assert policy.allowed(host, port)
    on_file = address_policy({"PRINTER_NETWORKS": ("127.0.0.0/8",), "HOST": "127.0.0.1",
                              "PORT": 8123, "DATABASE_URL": "sqlite:////srv/labelsvc.sqlite3"})
    assert {(str(e.network), e.port) for e in on_file.refused} >= {("127.0.0.0/8", 8123)}
    assert all(e.port == 8123 for e in on_file.refused)


def test_the_name_is_looked_up_before_the_write_transaction(
        api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from labelsvc.registry import database

    looked_up_in = []

    def resolver(host: str, port: int) -> list[str]:
        looked_up_in.append(database._current.get())  # the transaction open in this context
        return ["10.40.0.11"]

    monkeypatch.setattr(printers.addresses, "resolve_host", resolver)
    assert _define(api, host="zebra-11.plant.example").status_code == 201
    assert looked_up_in == [None]  # no write lock waits on a name server
