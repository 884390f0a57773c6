"""Where a webhook may point: public addresses only (SSRF).

A target on a loopback, private, shared (CGNAT), link-local (cloud metadata at
169.254.169.254), multicast, reserved or unspecified address is refused: when the endpoint
is saved (an address written in the URL, or ``localhost``) and again just before each
delivery, after DNS resolution (a name resolving to 127.0.0.1 is refused too). Hosts named
in settings.WEBHOOK_ALLOWED_HOSTS (by name or address) are let through: an on-premises
receiver, the test suite's fake receiver on 127.0.0.1."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

LOCAL_NAMES = ("localhost", "localhost.localdomain")


def _allowed(*names: str) -> bool:
    allowed = {host.lower().strip("[]") for host in settings.WEBHOOK_ALLOWED_HOSTS}
    return any(name.lower() in allowed for name in names)


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def refusal(url: str, *, resolve: bool) -> str | None:
    """Why ``url`` may not be a webhook target (a short English reason), or None.
    With ``resolve``, the host name is looked up and every address it has is checked."""
    return check(url, resolve=resolve)[0]


def check(url: str, *, resolve: bool = True) -> tuple[str | None, str | None]:
    """(why ``url`` is refused or None, the checked address to connect to).

    The address is what the delivery must connect to (channels.py pins the connection to
    it): resolving the name again when connecting would let a name that answered a public
    address to this check answer 127.0.0.1 a moment later (DNS rebinding). It is None
    when there is nothing to pin: a refusal, no resolution asked, or a host named in
    WEBHOOK_ALLOWED_HOSTS (resolved as usual)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return "not an http(s) URL", None
    if _allowed(host):
        return None, None
    literal = _literal(host)
    if literal is not None:
        if _internal(literal):
            return f"internal address {literal}", None
        return None, literal
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return f"internal host {host}", None
    if not resolve:
        return None, None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError):
        return f"cannot resolve {host}", None
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        if _internal(address) and not _allowed(address):
            return f"{host} resolves to internal address {address}", None
    if not addresses:
        return f"cannot resolve {host}", None
    return None, addresses[0]
