"""The providers' inbound-reply callbacks: a customer who answers an SMS with TD (退订) is
unsubscribed (services.opt_out_phone).

Neither provider signs these callbacks (Alibaba Cloud's SmsUp HTTP push and Tencent Cloud's
reply callback are plain JSON POSTs), so the callback URL configured in the provider's
console carries a secret, MESSAGING_INBOUND_TOKEN, compared in constant time: a request
without it answers 404 as if the page did not exist. No token set: the endpoint is off.
"""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging import services

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024


def _replies(provider: str, doc) -> list[tuple[str, str]]:
    """(phone, text) of each reply in a callback's JSON, or ValueError."""
    if provider == "aliyun":  # a JSON array of {"phone_number", "content", ...}
        items = doc if isinstance(doc, list) else None
        phone_key, text_key = "phone_number", "content"
    else:  # Tencent: one {"mobile", "nationcode", "text", ...} (or a list of them)
        items = doc if isinstance(doc, list) else [doc]
        phone_key, text_key = "mobile", "text"
    if items is None or not all(isinstance(i, dict) for i in items):
        raise ValueError("unexpected shape")
    out = []
    for item in items:
        phone, text = item.get(phone_key), item.get(text_key)
        if not isinstance(phone, str) or not isinstance(text, str):
            raise ValueError("phone and text must be strings")
        out.append((phone, text))
    return out


ANSWERS = {
    "aliyun": ({"code": 0, "msg": "接收成功"}, {"code": 1, "msg": "bad request"}),
    "tencent": ({"result": 0, "errmsg": "OK"}, {"result": 1, "errmsg": "bad request"}),
}


@csrf_exempt
@require_POST
def inbound_reply(request, provider: str, token: str):
    expected = settings.MESSAGING_INBOUND_TOKEN
    if provider not in ANSWERS or not expected or not hmac.compare_digest(token, expected):
        raise Http404
    ok, bad = ANSWERS[provider]
    if len(request.body) > MAX_BODY:
        return JsonResponse(bad, status=400)
    try:
        replies = _replies(provider, json.loads(request.body))
    except ValueError:
        return JsonResponse(bad, status=400)
    for phone, text in replies:
        if services.is_unsubscribe(text):
            services.opt_out_phone(phone, source="sms")
            log.info("SMS opt-out by reply through %s", provider)
    return JsonResponse(ok, json_dumps_params={"ensure_ascii": False})
