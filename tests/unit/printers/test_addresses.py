"""The address policy of network printers: allow-list, ranges never allowed, own endpoints,
host names with several addresses, and drivers that never connect where it refuses."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from printers import (
    DEFAULT_NETWORKS,
    DRIVERS,
    NOT_REACHABLE,
    AddressPolicy,
    AddressRefused,
    DeliveryInterrupted,
    PrinterUnreachable,
    UnknownHost,
    deliver,
    parse_networks,
)
from printers.sim import VirtualPrinter


def policy(networks: str = DEFAULT_NETWORKS, names: dict[str, list[str]] | None = None,
           **kw: object) -> AddressPolicy:
    """A policy whose host names resolve from a table instead of DNS."""
    table = names or {}

    def resolver(host: str, port: int) -> list[str]:
        if host not in table:
            raise UnknownHost(f"printer host {host} is not found in DNS")
        return table[host]

    return AddressPolicy.build(networks, resolver=resolver, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.1", "172.31.255.254",
                                     "192.168.7.20", "127.0.0.1", "127.8.9.10", "::1",
                                     "fd12:3456::20", "fc00::1", "::ffff:10.1.2.3"])
def test_the_default_allows_private_networks_and_loopback(address: str) -> None:
    assert policy().allowed(address, 9100) == [
        ipaddress.ip_address(address.removeprefix("::ffff:"))]


@pytest.mark.parametrize(("address", "words"), [
    ("169.254.169.254", "link-local"), ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"), ("fd00:ec2::254", "cloud metadata"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("255.255.255.255", "broadcast"),
    ("224.0.0.251", "multicast"), ("239.1.2.3", "multicast"), ("ff02::1", "multicast"),
    ("::ffff:169.254.169.254", "link-local"),
])
def test_some_ranges_are_refused_whatever_the_allow_list(address: str, words: str) -> None:
    everything = policy("0.0.0.0/0,::/0")
    with pytest.raises(AddressRefused) as refused:
        everything.allowed(address, 9100)
    assert words in str(refused.value) and refused.value.field == "host"
    assert refused.value.reason == "unreachable"


def test_the_refusal_names_the_address_and_the_plant_networks() -> None:
    with pytest.raises(AddressRefused) as refused:
        policy().allowed("169.254.169.254", 9100)
    assert str(refused.value) == (
        "169.254.169.254 is a link-local address (where cloud metadata services answer), "
        "never a printer's; printers must be on the plant networks 10.0.0.0/8, "
        "172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8, fc00::/7, ::1/128 "
        "(LABELSVC_PRINTER_NETWORKS)")


@pytest.mark.parametrize("address", ["8.8.8.8", "172.32.0.1", "100.64.0.1", "2001:db8::1",
                                     "11.0.0.1"])
def test_addresses_outside_the_allow_list_are_refused(address: str) -> None:
    with pytest.raises(AddressRefused, match="not on the plant's printer networks"):
        policy().allowed(address, 9100)


def test_an_allow_list_of_its_own_replaces_the_default() -> None:
    plant = policy("10.20.0.0/16, 2001:db8:7::/48")
    assert plant.allowed("10.20.3.4", 9100) and plant.allowed("2001:db8:7::9", 9100)
    for address in ("10.21.0.1", "127.0.0.1", "192.168.1.1", "2001:db8:8::1", "::1"):
        with pytest.raises(AddressRefused):
            plant.allowed(address, 9100)
    with pytest.raises(AddressRefused, match="plant networks 10.20.0.0/16, 2001:db8:7::/48"):
        plant.allowed("8.8.8.8", 9100)


def test_networks_are_read_strictly_enough() -> None:
    assert [str(n) for n in parse_networks(" 10.0.0.0/8 ,, fd00::/8,10.1.2.3/16")] == \
        ["10.0.0.0/8", "fd00::/8", "10.1.0.0/16"]
    assert str(parse_networks("192.168.4.9")[0]) == "192.168.4.9/32"
    for bad in ("10.0.0.0/33", "printers", "10.0.0.0/8;192.168.0.0/16", "fd00::/129"):
        with pytest.raises(ValueError, match="is not a network"):
            parse_networks(bad)


def test_a_host_name_is_checked_on_every_address_it_resolves_to() -> None:
    names = {"zebra-7.plant": ["10.4.0.7", "fd00:4::7"],
             "rebind.plant": ["10.4.0.8", "169.254.169.254"],
             "cloud.plant": ["10.4.0.9", "8.8.8.8"],
             "twice.plant": ["10.4.0.10", "10.4.0.10"]}
    plant = policy(names=names)
    assert [str(a) for a in plant.allowed("zebra-7.plant", 9100)] == ["10.4.0.7", "fd00:4::7"]
    assert [str(a) for a in plant.allowed("twice.plant", 9100)] == ["10.4.0.10"]
    with pytest.raises(AddressRefused) as refused:
        plant.allowed("rebind.plant", 9100)
    assert str(refused.value).startswith("rebind.plant resolves to 169.254.169.254, which is "
                                         "a link-local address")
    with pytest.raises(AddressRefused, match="cloud.plant resolves to 8.8.8.8"):
        plant.allowed("cloud.plant", 9100)
    with pytest.raises(UnknownHost, match="nowhere.plant"):
        plant.allowed("nowhere.plant", 9100)


def test_endpoints_of_the_service_and_its_database_are_refused_on_their_port_only() -> None:
    base = policy(names={"db.plant": ["10.9.0.5"]})
    plant = AddressPolicy(base.networks, (
        *base.endpoints([ipaddress.ip_network("127.0.0.0/8"), "10.9.0.2"], 8000,
                        "this service's own address"),
        *base.endpoints(["db.plant", "gone.plant"], 5432, "the registry database")),
        base.resolver)
    with pytest.raises(AddressRefused) as refused:
        plant.allowed("127.0.0.1", 8000)
    assert refused.value.field == "port"
    assert str(refused.value) == "127.0.0.1:8000 is this service's own address, not a printer"
    with pytest.raises(AddressRefused, match="db.plant resolves to 10.9.0.5, and "
                                             "10.9.0.5:5432 is the registry database"):
        plant.allowed("db.plant", 5432)
    with pytest.raises(AddressRefused, match="own address"):
        plant.allowed("10.9.0.2", 8000)
    assert plant.allowed("127.0.0.1", 9100) and plant.allowed("10.9.0.5", 9100)


def test_the_system_resolver_is_used_without_one() -> None:
    assert ipaddress.ip_address("127.0.0.1") in AddressPolicy().allowed("localhost", 9100)
    with pytest.raises(UnknownHost):
        AddressPolicy().allowed("no-such-printer.invalid", 9100)


@pytest.mark.parametrize("driver", ["zpl-tcp", "ipp"])
def test_a_driver_never_connects_to_a_refused_address(listener: Any, driver: str) -> None:
    silent = listener()
    names = {"label-7.plant": ["127.0.0.1"]}
    refusing = policy("10.0.0.0/8", names=names)
    printer = DRIVERS[driver](host="label-7.plant", port=silent.port, addresses=refusing)
    with pytest.raises(PrinterUnreachable) as raised:
        printer.probe()
    assert silent.connections == 0
    assert "not one printers may have" in str(raised.value)
    assert raised.value.detail.startswith("label-7.plant resolves to 127.0.0.1")
    names["label-7.plant"] = ["10.0.0.1", "127.0.0.1"]  # one allowed address is not enough
    with pytest.raises(PrinterUnreachable):
        printer.probe()
    assert silent.connections == 0
    del names["label-7.plant"]  # gone from DNS: not reachable, as a closed port is
    with pytest.raises(PrinterUnreachable) as raised:
        printer.probe()
    assert str(raised.value) == NOT_REACHABLE and "not found in DNS" in raised.value.detail


def test_a_driver_connects_to_the_address_it_checked() -> None:
    with VirtualPrinter(port=0) as sim:
        names = {"label-8.plant": [sim.host]}
        printer = DRIVERS["zpl-tcp"](host="label-8.plant", port=sim.port,
                                     addresses=policy(names=names))
        assert printer.probe().fault is None
        assert sim.state()["connections"] == 1


def test_closed_silent_reset_and_foreign_ports_read_the_same(listener: Any,
                                                              closed_port: int) -> None:
    outward = []
    ports = [closed_port, *(listener(mode=m).port for m in ("silent", "answer", "reset"))]
    for port in ports:
        printer = DRIVERS["zpl-tcp"](host="127.0.0.1", port=port, connect_timeout=0.5,
                                     status_timeout=0.3)
        with pytest.raises(DeliveryInterrupted) as raised:
            deliver(printer, [(1, b"^XA^FDone^FS^XZ")])
        outward.append((raised.value.reason, str(raised.value.cause), type(raised.value.cause)))
        assert raised.value.cause.detail != NOT_REACHABLE  # the log still knows
    assert outward == [("unreachable", NOT_REACHABLE, PrinterUnreachable)] * 4
