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
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return "not an http(s) URL"
    if _allowed(host):
        return None
    literal = _literal(host)
    if literal is not None:
        return f"internal address {literal}" if _internal(literal) else None
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return f"internal host {host}"
    if not resolve:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError):
        return f"cannot resolve {host}"
    for info in infos:
        address = str(info[4][0])
        if _internal(address) and not _allowed(address):
            return f"{host} resolves to internal address {address}"
    return None
