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
import time
from http import HTTPStatus
from urllib.parse import quote_plus

import requests
from django.conf import settings
from django.core.mail import send_mail

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
        doc = {
            "msgtype": "markdown",
            "markdown": {
                "title": notification.title,
                "text": f"### {notification.title}\n\n{notification.body}",
            },
        }
        return url, doc, {}
    if kind == "wecom":
        return (
            url,
            {
                "msgtype": "markdown",
                "markdown": {"content": f"**{notification.title}**\n{notification.body}"},
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
    # Checked again now, after DNS: the name may point inside the network since it was saved.
    reason = targets.refusal(url, resolve=True)
    if reason:
        raise DeliveryError(f"refused: {reason}")
    try:
        # No redirects (a public URL may redirect inside); the reply is streamed so that at
        # most a robot's short JSON answer is read, and it is never stored.
        response = requests.post(
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
        if endpoint.kind in ("dingtalk", "wecom", "feishu"):
            _check_robot_reply(response)
    return status


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
