"""The channels' adapters: Alibaba Cloud SMS, Tencent Cloud SMS, WeChat (an official
account's subscription message), email and the console. Each takes one ``CustomerMessage``
and returns ``Sent`` or raises ``ProviderError`` with the provider's reason.

An SMS in China is a registered signature (签名) and a pre-approved template (模板) with
parameters: every SMS here is a template code (settings ``ALIYUN_SMS_TEMPLATES`` /
``TENCENT_SMS_TEMPLATES``: ``kind:language=code``, or ``kind=code`` for both languages) and
the kind's parameters (messaging/kinds.py), never free text.

- Alibaba Cloud: dysmsapi ``SendSms`` (version 2017-05-25), signed with Alibaba Cloud's V3
  signature (ACS3-HMAC-SHA256), which its documentation recommends over V2 for every
  OpenAPI: a canonical request (method, path, sorted query, the signed ``host`` and
  ``x-acs-*`` headers, the SHA-256 of the body) hashed, and HMAC-SHA256 of
  "ACS3-HMAC-SHA256\\n<hash>" with the AccessKey secret.
- Tencent Cloud: ``SendSms`` (version 2021-01-11), signed with TC3-HMAC-SHA256 (the key
  derived from the secret, the date, "sms" and "tc3_request").
- WeChat: an official account's subscription message (``/cgi-bin/message/subscribe/
  bizsend``) with an access token from ``/cgi-bin/stable_token`` (kept in the cache). Why
  this one (docs/messaging.md): it is one call with a pre-approved template and the
  customer's openid, the same shape as an SMS template; WeCom customer contact's
  ``add_msg_template`` only creates a mass-send task that an employee must confirm in the
  app, and 微信客服 may answer only within 48 hours of the customer's last message.
- Email: Django's email backend (EMAIL_BACKEND).
- Console: logs what would be sent, the phone masked: the default of ``make run``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import translation

from messaging.kinds import KINDS, ordered_params, render
from messaging.models import Reason

log = logging.getLogger("aftersales.messaging")


@dataclass(frozen=True)
class Sent:
    message_id: str
    status_code: int | None = None
    code: str = ""


class ProviderError(Exception):
    """The provider did not take the message. ``reason`` is ours (models.Reason: refused or
    no template end the message; anything else is retried); the text is the provider's."""

    def __init__(
        self,
        text: str,
        *,
        reason: str = Reason.PROVIDER_ERROR,
        code: str = "",
        status_code: int | None = None,
    ):
        super().__init__(text)
        self.reason = reason
        self.code = code
        self.status_code = status_code


def mask(address: str) -> str:
    """A phone shown as ``138****8000``; any other address keeps its first and last two."""
    if address.isdigit() and len(address) >= 8:
        return f"{address[:3]}****{address[-4:]}"
    if len(address) <= 4:
        return "*" * len(address)
    return f"{address[:2]}***{address[-2:]}"


def send(message) -> Sent:
    adapter = ADAPTERS.get(message.provider)
    if adapter is None:
        raise ProviderError(f"no adapter {message.provider!r}", reason=Reason.REFUSED)
    return adapter(message)


def template_code(templates: dict[str, str], message) -> str:
    code = templates.get(f"{message.kind}:{message.language}") or templates.get(message.kind)
    if not code:
        raise ProviderError(
            f"no template for {message.kind} ({message.language})", reason=Reason.NO_TEMPLATE
        )
    return code


def _post(url: str, *, data: bytes, headers: dict) -> requests.Response:
    try:
        return requests.post(
            url,
            data=data,
            headers=headers,
            timeout=settings.MESSAGING_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        raise ProviderError(type(exc).__name__) from exc


def _reply(response: requests.Response) -> dict:
    if response.status_code >= 500:
        raise ProviderError(
            f"HTTP {response.status_code}",
            code=str(response.status_code),
            status_code=response.status_code,
        )
    try:
        reply = response.json()
    except ValueError as exc:
        raise ProviderError(
            f"HTTP {response.status_code}: not JSON", status_code=response.status_code
        ) from exc
    return reply if isinstance(reply, dict) else {}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Alibaba Cloud SMS (dysmsapi SendSms, V3 signature) --------------------------------------

ALIYUN_VERSION = "2017-05-25"
# Codes that retrying cannot fix are refusals; flow control and the rest are retried.
ALIYUN_RETRIED = {"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isp.SYSTEM_ERROR"}


def percent(value: str) -> str:
    """RFC 3986 encoding, as the V3 signature's canonical query string wants it."""
    return quote(value, safe="-_.~")


def aliyun_canonical_request(method: str, path: str, query: dict, headers: dict) -> str:
    canonical_query = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(query.items()))
    signed = sorted(headers)
    canonical_headers = "".join(f"{k}:{headers[k].strip()}\n" for k in signed)
    return "\n".join(
        [
            method,
            path,
            canonical_query,
            canonical_headers,
            ";".join(signed),
            headers["x-acs-content-sha256"],
        ]
    )


def aliyun_signature(secret: str, canonical_request: str) -> str:
    to_sign = "ACS3-HMAC-SHA256\n" + _sha256(canonical_request.encode())
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def _aliyun(message) -> Sent:
    code = template_code(settings.ALIYUN_SMS_TEMPLATES, message)
    query = {
        "PhoneNumbers": message.address,
        "SignName": settings.ALIYUN_SMS_SIGN_NAME,
        "TemplateCode": code,
        "TemplateParam": json.dumps(
            dict(
                zip(
                    KINDS[message.kind].params,
                    ordered_params(message.kind, message.params),
                    strict=True,
                )
            ),
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        "OutId": f"{message.incident_id}:{message.key}"[:256],
    }
    endpoint = settings.ALIYUN_SMS_ENDPOINT.rstrip("/")
    body = b""
    headers = {
        "host": urlsplit(endpoint).netloc,
        "x-acs-action": "SendSms",
        "x-acs-version": ALIYUN_VERSION,
        "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": uuid.uuid4().hex,
        "x-acs-content-sha256": _sha256(body),
    }
    canonical = aliyun_canonical_request("POST", "/", query, headers)
    signature = aliyun_signature(settings.ALIYUN_SMS_ACCESS_KEY_SECRET, canonical)
    headers["Authorization"] = (
        f"ACS3-HMAC-SHA256 Credential={settings.ALIYUN_SMS_ACCESS_KEY_ID},"
        f"SignedHeaders={';'.join(sorted(h for h in headers if h != 'Authorization'))},"
        f"Signature={signature}"
    )
    url = endpoint + "/?" + "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(query.items()))
    response = _post(url, data=body, headers=headers)
    reply = _reply(response)
    result = str(reply.get("Code") or "")
    if result == "OK":
        return Sent(str(reply.get("BizId") or ""), response.status_code, result)
    text = f"{result}: {reply.get('Message') or ''}".strip(": ")
    refused = result.startswith("isv.") and result not in ALIYUN_RETRIED
    raise ProviderError(
        text or f"HTTP {response.status_code}",
        reason=Reason.REFUSED if refused else Reason.PROVIDER_ERROR,
        code=result,
        status_code=response.status_code,
    )


# --- Tencent Cloud SMS (SendSms 2021-01-11, TC3-HMAC-SHA256) ---------------------------------

TENCENT_VERSION = "2021-01-11"
TENCENT_SERVICE = "sms"
TENCENT_CONTENT_TYPE = "application/json; charset=utf-8"
# Error families that retrying cannot fix.
TENCENT_REFUSED = (
    "FailedOperation.",
    "InvalidParameter",
    "UnsupportedOperation.",
    "MissingParameter",
)
TENCENT_RETRIED = ("FailedOperation.InsufficientBalanceInSmsPackage",)


def tencent_signature(
    secret_key: str, *, host: str, action: str, payload: bytes, timestamp: int
) -> tuple[str, str, str]:
    """(signature, credential scope, signed headers) of a TC3-HMAC-SHA256 POST."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed = "content-type;host;x-tc-action"
    canonical_headers = (
        f"content-type:{TENCENT_CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    )
    canonical = f"POST\n/\n\n{canonical_headers}\n{signed}\n{_sha256(payload)}"
    scope = f"{date}/{TENCENT_SERVICE}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256(canonical.encode())}"

    def mac(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(f"TC3{secret_key}".encode(), date), TENCENT_SERVICE), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), scope, signed


def _tencent(message) -> Sent:
    code = template_code(settings.TENCENT_SMS_TEMPLATES, message)
    payload = json.dumps(
        {
            "PhoneNumberSet": [f"+86{message.address}"],
            "SmsSdkAppId": settings.TENCENT_SMS_APP_ID,
            "SignName": settings.TENCENT_SMS_SIGN_NAME,
            "TemplateId": code,
            "TemplateParamSet": ordered_params(message.kind, message.params),
            "SessionContext": f"{message.incident_id}:{message.key}"[:512],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    endpoint = settings.TENCENT_SMS_ENDPOINT.rstrip("/")
    host = urlsplit(endpoint).netloc
    timestamp = int(time.time())
    signature, scope, signed = tencent_signature(
        settings.TENCENT_SMS_SECRET_KEY,
        host=host,
        action="SendSms",
        payload=payload,
        timestamp=timestamp,
    )
    headers = {
        "Authorization": f"TC3-HMAC-SHA256 Credential={settings.TENCENT_SMS_SECRET_ID}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}",
        "Content-Type": TENCENT_CONTENT_TYPE,
        "Host": host,
        "X-TC-Action": "SendSms",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": TENCENT_VERSION,
        "X-TC-Region": settings.TENCENT_SMS_REGION,
    }
    response = _post(endpoint + "/", data=payload, headers=headers)
    reply = _reply(response).get("Response") or {}
    error = reply.get("Error")
    if error:
        _tencent_refusal(str(error.get("Code") or ""), str(error.get("Message") or ""), response)
    statuses = reply.get("SendStatusSet") or [{}]
    status = statuses[0]
    result = str(status.get("Code") or "")
    if result == "Ok":
        return Sent(str(status.get("SerialNo") or ""), response.status_code, result)
    _tencent_refusal(result, str(status.get("Message") or ""), response)
    raise AssertionError  # unreachable: _tencent_refusal raises


def _tencent_refusal(code: str, text: str, response) -> None:
    refused = code.startswith(TENCENT_REFUSED) and not code.startswith(TENCENT_RETRIED)
    raise ProviderError(
        f"{code}: {text}".strip(": ") or f"HTTP {response.status_code}",
        reason=Reason.REFUSED if refused else Reason.PROVIDER_ERROR,
        code=code,
        status_code=response.status_code,
    )


# --- WeChat: an official account's subscription message --------------------------------------

WECHAT_TOKEN_KEY = "messaging:wechat-token"  # noqa: S105 - a cache key
WECHAT_TOKEN_INVALID = {40001, 40014, 42001}
# The customer refused or never subscribed; the template or its data is wrong.
WECHAT_REFUSED = {43101, 40003, 40037, 47003, 43116}


def _wechat_token(*, fresh: bool = False) -> str:
    token = None if fresh else cache.get(WECHAT_TOKEN_KEY)
    if token:
        return token
    base = settings.WECHAT_API_BASE.rstrip("/")
    body = json.dumps(
        {
            "grant_type": "client_credential",
            "appid": settings.WECHAT_APP_ID,
            "secret": settings.WECHAT_APP_SECRET,
        }
    ).encode()
    response = _post(
        f"{base}/cgi-bin/stable_token", data=body, headers={"Content-Type": "application/json"}
    )
    reply = _reply(response)
    token = reply.get("access_token")
    if not token:
        raise ProviderError(
            f"token: {reply.get('errcode')} {reply.get('errmsg') or ''}".strip(),
            code=str(reply.get("errcode") or ""),
            status_code=response.status_code,
        )
    cache.set(WECHAT_TOKEN_KEY, token, max(60, int(reply.get("expires_in") or 7200) - 300))
    return token


def _wechat_data(message) -> dict:
    data = {}
    for name, value in zip(
        KINDS[message.kind].params, ordered_params(message.kind, message.params), strict=True
    ):
        field = settings.WECHAT_FIELDS.get(name, name)
        # A "thing" keyword takes at most 20 characters.
        data[field] = {"value": value[:20] if field.startswith("thing") else value}
    return data


def _wechat(message, *, retried: bool = False) -> Sent:
    template = template_code(settings.WECHAT_TEMPLATES, message)
    token = _wechat_token(fresh=retried)
    doc = {"touser": message.address, "template_id": template, "data": _wechat_data(message)}
    link = message.params.get("tracking_url") or message.params.get("survey_url")
    if link:
        doc["page"] = link
    base = settings.WECHAT_API_BASE.rstrip("/")
    response = _post(
        f"{base}/cgi-bin/message/subscribe/bizsend?access_token={token}",
        data=json.dumps(doc, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    reply = _reply(response)
    errcode = int(reply.get("errcode") or 0)
    if errcode == 0:
        return Sent(str(reply.get("msgid") or ""), response.status_code, "0")
    if errcode in WECHAT_TOKEN_INVALID and not retried:
        cache.delete(WECHAT_TOKEN_KEY)
        return _wechat(message, retried=True)
    raise ProviderError(
        f"{errcode}: {reply.get('errmsg') or ''}",
        reason=Reason.REFUSED if errcode in WECHAT_REFUSED else Reason.PROVIDER_ERROR,
        code=str(errcode),
        status_code=response.status_code,
    )


# --- email and console -----------------------------------------------------------------------


def _email(message) -> Sent:
    with translation.override(message.language):
        subject = str(KINDS[message.kind].label)
    try:
        send_mail(subject, message.text, settings.DEFAULT_FROM_EMAIL, [message.address])
    except Exception as exc:  # any backend failure is a failed attempt, retried
        raise ProviderError(f"email: {type(exc).__name__}") from exc
    return Sent(f"email-{message.pk}")


def _console(message) -> Sent:
    log.info(
        "customer message (console, not sent) %s to %s [%s] %s: %s",
        message.channel,
        mask(message.address),
        message.language,
        message.kind,
        render(message.kind, message.language, message.params),
    )
    return Sent(f"console-{message.pk}")


ADAPTERS = {
    "aliyun": _aliyun,
    "tencent": _tencent,
    "wechat": _wechat,
    "email": _email,
    "console": _console,
}
