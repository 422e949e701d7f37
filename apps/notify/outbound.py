"""The one HTTP client for requests the server makes on someone's behalf (webhooks, Slack,
Telegram, test messages): it posts only to public internet addresses.

A destination is refused when its host resolves to any loopback, private, shared (CGNAT),
link-local, multicast, reserved or unspecified address, unless ``NOTIFY_ALLOWED_HOSTS``
names the host or a network holding the address. The check runs when a destination is
entered (``check_destination``, a form field error) and again for every request, at
connect time: the connection resolves the name once, checks every address it got and
connects to a checked address itself, so a name that resolves to a public address for
the check and to a private one a moment later (DNS rebinding) cannot slip through. The
Host header, TLS SNI and the certificate check still use the host name. Redirects are
never followed, proxies from the environment are ignored and response bodies are not
read.

``NOTIFY_ALLOWED_HOSTS`` is a list of host names (matched exactly, case-insensitively)
and addresses or CIDR networks, e.g. ``["hooks.internal", "10.20.0.0/16", "127.0.0.1"]``.
An entry may name one port (``127.0.0.1:8025``, ``[::1]:8025``, ``hooks.internal:8443``):
then only that port is allowed, which is how the demo lets exactly its own loopback
receiver through. Production leaves it empty.

Why a destination was refused goes to the server log (host and reason only: Slack and
Telegram URLs carry their secret in the path); callers show one message for every
refused or unreachable destination, so the answer tells nothing about what listens where.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from apps.core.logging import get_logger

log = get_logger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 prefixes that carry an IPv4 address (NAT64): the embedded address decides.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class DestinationRefused(Exception):
    """The destination is not a public address and not on the allow-list.

    ``reason`` is for the server log; never show it to the person who asked.
    """

    def __init__(self, reason: str, host: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.host = host


# --- the allow-list ----------------------------------------------------------------------


AllowList = tuple[frozenset[tuple[str, int | None]], tuple[tuple[IPNetwork, int | None], ...]]


def _split_port(entry: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]``, ``[v6]:port`` or a bare IPv6 address/network."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        if not rest:
            return host, None
        if not rest.startswith(":") or not rest[1:].isdigit():
            raise ValueError(entry)
        return host, int(rest[1:])
    if entry.count(":") == 1:
        host, port = entry.split(":")
        if not port.isdigit():
            raise ValueError(entry)
        return host, int(port)
    return entry, None


@functools.lru_cache(maxsize=16)
def _parse_allow_list(entries: tuple[str, ...]) -> AllowList:
    names: set[tuple[str, int | None]] = set()
    networks: list[tuple[IPNetwork, int | None]] = []
    for raw in entries:
        entry = str(raw).strip().lower()
        if not entry:
            continue
        try:
            candidate, port = _split_port(entry)
        except ValueError:
            raise ImproperlyConfigured(
                f"NOTIFY_ALLOWED_HOSTS: {raw!r} has a port that is not a number."
            ) from None
        if port is not None and not 0 < port < 65536:
            raise ImproperlyConfigured(f"NOTIFY_ALLOWED_HOSTS: {raw!r} has no valid port.")
        try:
            networks.append((ipaddress.ip_network(candidate, strict=False), port))
            continue
        except ValueError:
            if not candidate or "/" in candidate or candidate.replace(".", "").isdigit():
                raise ImproperlyConfigured(
                    f"NOTIFY_ALLOWED_HOSTS: {raw!r} is neither a host name nor an address "
                    "or network."
                ) from None
        names.add((candidate.rstrip("."), port))
    return frozenset(names), tuple(networks)


def allow_list() -> AllowList:
    """(host names, networks) of ``NOTIFY_ALLOWED_HOSTS``, each with its port or None
    (any port), read at call time."""
    entries = getattr(settings, "NOTIFY_ALLOWED_HOSTS", ()) or ()
    if isinstance(entries, str):
        entries = entries.split(",")
    return _parse_allow_list(tuple(entries))


def _normal_host(host: str) -> str:
    return (host or "").strip().strip("[]").rstrip(".").lower()


def _port_matches(allowed: int | None, port: int | None) -> bool:
    return allowed is None or allowed == port


def host_is_allowed_by_name(host: str, port: int | None = None) -> bool:
    names, _networks = allow_list()
    host = _normal_host(host)
    return any(name == host and _port_matches(allowed, port) for name, allowed in names)


# --- addresses ---------------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address (None when it is)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "scoped"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            # The socket ends up at the embedded IPv4 address: that one decides.
            problem = address_problem(embedded)
            return f"embedded {problem}" if problem else None
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "not global"  # shared address space (100.64.0.0/10) and the like
    return None


def check_address(address: IPAddress, *, host: str = "", port: int | None = None) -> None:
    """Raise DestinationRefused unless ``address`` is public or on the allow-list
    (for ``port``, when the entry names one)."""
    if host and host_is_allowed_by_name(host, port):
        return
    _names, networks = allow_list()
    if any(
        address.version == network.version and address in network and _port_matches(allowed, port)
        for network, allowed in networks
    ):
        return
    problem = address_problem(address)
    if problem:
        raise DestinationRefused(problem, host=host or str(address))


def resolve(host: str, port: int) -> list[tuple[int, str]]:
    """(family, address) pairs the system resolver gives for ``host`` (a name or literal).

    Raises ``socket.gaierror`` when the name does not resolve.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[tuple[int, str]] = []
    for family, _type, _proto, _canonname, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        pair = (family, sockaddr[0])
        if pair not in seen:
            seen.append(pair)
    return seen


def checked_addresses(host: str, port: int) -> list[tuple[int, str]]:
    """Resolve ``host`` once and check every address it resolves to.

    All must pass: a name that resolves to one public and one private address is refused.
    """
    pairs = resolve(host, port)
    if not pairs:
        raise DestinationRefused("no address", host=host)
    for _family, text in pairs:
        check_address(ipaddress.ip_address(text.split("%", 1)[0]), host=host, port=port)
    return pairs


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(str(url or "").strip())
        port = parts.port
    except ValueError:
        raise DestinationRefused("unparsable url") from None
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise DestinationRefused("scheme")
    host = parts.hostname or ""
    if not host:
        raise DestinationRefused("no host")
    return scheme, host, port or (443 if scheme == "https" else 80)


def check_destination(url: str) -> None:
    """Input-time check of a destination URL; raises DestinationRefused.

    A literal address is checked as it is; a name is resolved now and every address
    checked. A name that does not resolve (yet) is accepted here: every request checks
    again when it connects.
    """
    _scheme, host, port = _split(url)
    if host_is_allowed_by_name(host, port):
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        check_address(literal, host=host, port=port)
        return
    try:
        checked_addresses(host, port)
    except socket.gaierror:
        return
    except (UnicodeError, ValueError):
        raise DestinationRefused("invalid host name", host=host) from None


# --- the connection that checks where it connects ----------------------------------------


class _CheckedConnectionMixin:
    """Resolves once, checks every address and connects to a checked one.

    urllib3 keeps ``self.host`` for the Host header, SNI and certificate matching; only
    the socket goes to the address checked here.
    """

    def _new_conn(self) -> socket.socket:
        host = self._dns_host
        try:
            pairs = checked_addresses(host, self.port)
        except DestinationRefused as refused:
            log.info("notify.destination_refused", host=refused.host, reason=refused.reason)
            raise
        except socket.gaierror as exc:
            raise NewConnectionError(self, f"Failed to resolve host ({exc.errno})") from None
        except (UnicodeError, ValueError):
            log.info("notify.destination_refused", host=host, reason="invalid host name")
            raise DestinationRefused("invalid host name", host=host) from None
        last_error: OSError | None = None
        for _family, address in pairs:
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                last_error = exc
                continue
            except OSError as exc:
                last_error = exc
                continue
            return sock
        if isinstance(last_error, TimeoutError):
            raise ConnectTimeoutError(self, "Connection timed out") from None
        raise NewConnectionError(self, f"Failed to connect ({type(last_error).__name__})")


class CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = CheckedHTTPSConnection


class CheckedAdapter(HTTPAdapter):
    """A requests adapter whose connections check their destination (see module doc)."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }

    def proxy_manager_for(self, *args, **kwargs):
        # A proxy would make the connection instead of the checked socket: never use one.
        raise DestinationRefused("proxy")


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or netrc from the environment
    adapter = CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def post(
    url: str,
    *,
    data: bytes,
    headers: dict[str, str],
    timeout: float,
    verify: bool | str = True,
) -> int:
    """POST ``data`` to ``url`` and return the response status; never follows redirects.

    Raises DestinationRefused for a destination that is not allowed, and requests'
    exceptions for everything that goes wrong on the way.
    """
    _split(url)  # scheme and host, before anything else
    with _session() as session:
        response = session.post(
            url,
            data=data,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,  # the body is not needed: do not read whatever is sent back
            verify=verify,
            proxies={},
        )
        status = response.status_code
        response.close()
    return status
