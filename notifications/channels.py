"""Delivery channels: email and the webhook formats (generic signed JSON, DingTalk, WeCom,
Feishu/Lark robots).

Generic JSON webhooks are signed like this (receivers: see ``verify_signature``)::

    X-Aftersales-Delivery:  <notification key>   (same on every retry: drop repeats)
    X-Aftersales-Event:     incident.escalated
    X-Aftersales-Timestamp: <unix seconds>
    X-Aftersales-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

A receiver refuses a timestamp more than ``REPLAY_WINDOW`` from its clock, so a captured
request cannot be replayed later, and remembers keys it has seen within that window.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
import time
from http import HTTPStatus
from urllib.parse import quote_plus

import requests
from django.conf import settings
from django.core.mail import send_mail
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from notifications import targets

REPLAY_WINDOW = 300  # seconds
ROBOT_REPLY_BYTES = 64 * 1024  # a robot's answer is a few dozen bytes of JSON


class DeliveryError(Exception):
    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None
) -> bool:
    """For receivers (and tests): the signature matches and the timestamp is fresh."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - ts) > REPLAY_WINDOW:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature or "")


def send(notification) -> int | None:
    """Deliver one notification; raise DeliveryError on failure. Returns the HTTP status.
    The text is rendered now, in the recipient's language, from the message id."""
    title, body = notification.rendered(notification.language)
    notification.title, notification.body = title, body
    if isinstance(notification.payload, dict) and "message" in notification.payload:
        notification.payload = {
            **notification.payload,
            "message": {"title": title, "body": body, "language": notification.language},
        }
    if notification.channel == "email":
        return _send_email(notification)
    if notification.channel == "webhook":
        endpoint = notification.endpoint
        if endpoint is None:
            raise DeliveryError("endpoint deleted")
        return _post(endpoint, notification)
    return None


def _send_email(notification) -> None:
    user = notification.user
    if user is None or not user.email:
        raise DeliveryError("no email address")
    try:
        send_mail(notification.title, notification.body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception as exc:  # any backend failure is a failed attempt
        raise DeliveryError(f"email: {exc}") from exc


# Markdown that a customer's words could use to put a link, an image, a heading, code or
# emphasis into a group chat: escaped with a backslash. WeCom's <@userid> mentions and
# <font> tags use angle brackets, which become their full-width forms; "scheme://" gets a
# zero-width space so that the robots do not turn a typed address into a link.
_MARKDOWN = re.compile(r"([\\`*_\[\]()!#~|{}])")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(//)")


def escape_markdown(text: str) -> str:
    """``text`` shown as written in DingTalk and WeCom markdown messages."""
    text = _MARKDOWN.sub(r"\\\1", text)
    text = text.replace("<", "\uff1c").replace(">", "\uff1e")
    return _SCHEME.sub("\\1:\u200b\\2", text)


def _robot_text(notification) -> str:
    return f"{notification.title}\n\n{notification.body}"


def _body(endpoint, notification) -> tuple[str, dict, dict]:
    """(url, JSON document, extra headers) in the endpoint's format."""
    kind, url = endpoint.kind, endpoint.url
    if kind == "dingtalk":
        if endpoint.secret:
            ts = int(time.time() * 1000)
            mac = hmac.new(
                endpoint.secret.encode(), f"{ts}\n{endpoint.secret}".encode(), hashlib.sha256
            ).digest()
            sig = quote_plus(base64.b64encode(mac).decode())
            url = f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={sig}"
        title, body = escape_markdown(notification.title), escape_markdown(notification.body)
        # The title is the chat list's plain-text preview; the text is rendered as markdown.
        markdown = {"title": notification.title, "text": f"### {title}\n\n{body}"}
        return url, {"msgtype": "markdown", "markdown": markdown}, {}
    if kind == "wecom":
        return (
            url,
            {
                "msgtype": "markdown",
                "markdown": {
                    "content": f"**{escape_markdown(notification.title)}**\n"
                    f"{escape_markdown(notification.body)}"
                },
            },
            {},
        )
    if kind == "feishu":
        doc: dict = {"msg_type": "text", "content": {"text": _robot_text(notification)}}
        if endpoint.secret:
            ts = int(time.time())
            mac = hmac.new(f"{ts}\n{endpoint.secret}".encode(), b"", hashlib.sha256).digest()
            doc.update(timestamp=str(ts), sign=base64.b64encode(mac).decode())
        return url, doc, {}
    return url, notification.payload, {}


def _post(endpoint, notification) -> int:
    url, doc, headers = _body(endpoint, notification)
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    ts = int(time.time())
    headers.update(
        {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "aftersales-webhooks/1",
            "X-Aftersales-Delivery": notification.key,
            "X-Aftersales-Event": f"incident.{notification.event}",
            "X-Aftersales-Timestamp": str(ts),
        }
    )
    if endpoint.kind == "generic" and endpoint.secret:
        headers["X-Aftersales-Signature"] = sign(endpoint.secret, ts, body)
    # Checked again now, after DNS: the name may point inside the network since it was saved;
    # the connection goes to the address checked, not to a second lookup's answer.
    reason, address = targets.check(url, resolve=True)
    if reason:
        raise DeliveryError(f"refused: {reason}")
    with requests.Session() as session:
        if address:
            session.mount("http://", PinnedAdapter(address))
            session.mount("https://", PinnedAdapter(address))
        return _send_post(session, url, body, headers, endpoint.kind)


def _send_post(session, url: str, body: bytes, headers: dict, kind: str) -> int:
    try:
        # No redirects (a public URL may redirect inside); the reply is streamed so that at
        # most a robot's short JSON answer is read, and it is never stored.
        response = session.post(
            url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        )
    except requests.RequestException as exc:
        # The exception's text can hold the URL and its access token: the kind only.
        raise DeliveryError(type(exc).__name__) from exc
    with response:
        status = response.status_code
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status} {_phrase(status)}", status)
        if kind in ("dingtalk", "wecom", "feishu"):
            _check_robot_reply(response)
    return status


class _PinnedConnection(HTTPConnection):
    """Connects to ``pinned_address`` instead of resolving the host again; the host name
    still goes in the Host header and, over TLS, in SNI and the certificate check."""

    pinned_address = ""

    def _new_conn(self) -> socket.socket:
        try:
            return urllib3_connection.create_connection(
                (self.pinned_address, self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to connect: {exc}") from exc


class _PinnedHTTPSConnection(_PinnedConnection, HTTPSConnection):
    pass


class PinnedAdapter(HTTPAdapter):
    """A requests adapter whose connections all go to one checked address."""

    def __init__(self, address: str):
        self.address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        attrs = {"pinned_address": self.address}
        plain = type("Pinned", (_PinnedConnection,), attrs)
        tls = type("PinnedTLS", (_PinnedHTTPSConnection,), attrs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("PinnedTLSPool", (HTTPSConnectionPool,), {"ConnectionCls": tls}),
        }


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _check_robot_reply(response) -> None:
    """The robots answer 200 with an error code in the body (only the code is kept)."""
    raw = response.raw.read(ROBOT_REPLY_BYTES, decode_content=True)
    try:
        reply = json.loads(raw)
    except ValueError:
        return
    if not isinstance(reply, dict):
        return
    code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0)))
    if code not in (0, None):
        raise DeliveryError(f"robot error {str(code)[:20]}", response.status_code)
