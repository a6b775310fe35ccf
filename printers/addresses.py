"""Where network printers may be: an allow-list of networks, ranges never allowed, and
endpoints of the plant's own services that no printer definition may point at."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from printers.errors import PrinterUnreachable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

DEFAULT_NETWORKS = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8,fc00::/7,::1/128"
"""RFC 1918 and IPv6 unique local networks (a plant's printer VLANs) and loopback (virtual
printers beside the service)."""

_LINK_LOCAL = "a link-local address (where cloud metadata services answer)"
# Refused whatever the allow-list says, most specific first.
ALWAYS_REFUSED: tuple[tuple[Network, str], ...] = tuple(
    (ipaddress.ip_network(cidr), what) for cidr, what in (
        ("fd00:ec2::254/128", "a cloud metadata address"),
        ("169.254.0.0/16", _LINK_LOCAL),
        ("fe80::/10", _LINK_LOCAL),
        ("0.0.0.0/8", "an unspecified address"),
        ("::/128", "an unspecified address"),
        ("255.255.255.255/32", "the broadcast address"),
        ("224.0.0.0/4", "a multicast address"),
        ("ff00::/8", "a multicast address"),
    ))
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


class AddressRefused(PrinterUnreachable):
    """A printer address the policy does not allow; `field` is the setting to change."""

    def __init__(self, message: str, field: str = "host") -> None:
        super().__init__(message)
        self.field = field


class UnknownHost(PrinterUnreachable):
    """A printer host name that does not resolve to any address."""


def parse_networks(text: str | Iterable[str]) -> tuple[Network, ...]:
    """Read a comma-separated list of CIDRs (IPv4 and IPv6); ValueError names a bad one."""
    items = text.split(",") if isinstance(text, str) else list(text)
    networks = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not a network; write CIDRs such as 10.0.0.0/8 or "
                             "fd00::/8, separated by commas") from None
    return tuple(networks)


def resolve_host(host: str, port: int) -> list[str]:
    """Every address a host name (or literal address) stands for, as the system resolves it."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnknownHost(f"printer host {host} is not found in DNS ({exc})") from None
    return [str(sockaddr[0]) for *_, sockaddr in answers]


def plain_address(text: str | Address) -> Address:
    """An address as the network sees it: an IPv4-mapped IPv6 address is its IPv4 address."""
    address = ipaddress.ip_address(text.split("%")[0] if isinstance(text, str) else text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True, slots=True)
class RefusedEndpoint:
    """A port on some addresses that is never a printer (the service itself, its database)."""

    network: Network
    port: int
    what: str


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses network printers may have; checked at definition and at every connect.

    A host name is resolved each time and every address it resolves to is checked; one
    refused address refuses the host. Connections go to the addresses just checked, never
    by name again, so a DNS change between check and connect cannot slip past.
    """

    networks: tuple[Network, ...] = field(default_factory=lambda: parse_networks(DEFAULT_NETWORKS))
    refused: tuple[RefusedEndpoint, ...] = ()
    resolver: Resolver | None = None

    @classmethod
    def build(cls, networks: str | Iterable[str] = DEFAULT_NETWORKS, *,
              refused: Iterable[RefusedEndpoint] = (),
              resolver: Resolver | None = None) -> AddressPolicy:
        """A policy from CIDR text and the endpoints to refuse."""
        return cls(parse_networks(networks), tuple(refused), resolver)

    def endpoints(self, hosts: Iterable[str | Network], port: int, what: str
                  ) -> list[RefusedEndpoint]:
        """Endpoints for `port` on each host (name, address or network); names resolve now,
        and one that does not resolve is left out."""
        out = []
        for host in hosts:
            if isinstance(host, ipaddress.IPv4Network | ipaddress.IPv6Network):
                out.append(RefusedEndpoint(host, port, what))
                continue
            try:
                addresses = self._resolve(host, port)
            except UnknownHost:
                continue
            out += [RefusedEndpoint(ipaddress.ip_network(plain_address(a)), port, what)
                    for a in addresses]
        return out

    def allowed(self, host: str, port: int) -> list[Address]:
        """Resolve `host` and check every address; AddressRefused (naming the setting) or
        UnknownHost when the printer may not be connected to."""
        addresses = list(dict.fromkeys(plain_address(a) for a in self._resolve(host, port)))
        for address in addresses:
            refusal = self.refusal(address, port)
            if refusal is None:
                continue
            subject, predicate, setting = refusal
            if host == str(address):
                raise AddressRefused(f"{subject} {predicate}", setting)
            joined = "which" if subject == str(address) else f"and {subject}"
            raise AddressRefused(f"{host} resolves to {address}, {joined} {predicate}", setting)
        return addresses

    def refusal(self, address: Address, port: int) -> tuple[str, str, str] | None:
        """Why a printer may not be at this address and port: what is refused (the address,
        or address:port), why, and which setting says so; None when it may be there."""
        address = plain_address(address)
        for network, what in ALWAYS_REFUSED:
            if address.version == network.version and address in network:
                return str(address), f"is {what}, never a printer's; {self._plant()}", "host"
        for endpoint in self.refused:
            if endpoint.port == port and address.version == endpoint.network.version \
                    and address in endpoint.network:
                return f"{address}:{port}", f"is {endpoint.what}, not a printer", "port"
        if not any(address.version == n.version and address in n for n in self.networks):
            return str(address), f"is not on the plant's printer networks; {self._plant()}", \
                "host"
        return None

    def connect(self, host: str, port: int, timeout: float) -> socket.socket:
        """Open a TCP connection to the first allowed address of `host` that answers.

        Raises:
            PrinterUnreachable: the address is refused, the name unknown or no connection
                could be made; outwardly each reads "not reachable" (why goes to `detail`).
        """
        try:
            addresses = self.allowed(host, port)
        except UnknownHost as exc:
            raise PrinterUnreachable.hiding(str(exc)) from None
        except AddressRefused as exc:
            raise PrinterUnreachable(
                "printer not reachable: its address is not one printers may have "
                "(LABELSVC_PRINTER_NETWORKS; the server log says why)", detail=str(exc)) from None
        failures = []
        for address in addresses:
            try:
                return socket.create_connection((str(address), port), timeout=timeout)
            except OSError as exc:
                failures.append(f"{address}: {exc}")
        raise PrinterUnreachable.hiding(f"cannot connect to {host}:{port} ({'; '.join(failures)})")

    def _resolve(self, host: str, port: int) -> list[str]:
        """The addresses of `host`, through the policy's resolver or the system's."""
        try:
            return [str(ipaddress.ip_address(host))]  # a literal address needs no lookup
        except ValueError:
            pass
        addresses = (self.resolver or resolve_host)(host, port)
        if not addresses:
            raise UnknownHost(f"printer host {host} resolves to no address")
        return addresses

    def _plant(self) -> str:
        """Where printers must be, in the words of the 422 and the log."""
        listed = ", ".join(str(n) for n in self.networks) or "none (no network printers)"
        return f"printers must be on the plant networks {listed} (LABELSVC_PRINTER_NETWORKS)"

