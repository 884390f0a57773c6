"""``Idempotency-Key`` for creating POSTs.

Decorate a viewset method (``create`` or a POST ``@action``) with ``@idempotent``. With the
header, the request runs in one transaction that

1. takes a PostgreSQL advisory lock on (user, key) without waiting: a second request with
   the key while the first is still running gets 409;
2. replays the stored response of an earlier request with the same key and body (same
   status and body, header ``Idempotent-Replayed: true``), or answers 422 when the body
   differs;
3. otherwise runs the view and stores its 2xx response in ``IdempotencyRecord`` (unique on
   user and key) in the same transaction as whatever the view created, so a key is stored
   if and only if its effect committed. Errors are not stored: nothing was created, and a
   retry runs again.

Records are kept API_IDEMPOTENCY_HOURS (24 by default).
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import IdempotencyRecord
from core.api.exceptions import IdempotencyInFlight, IdempotencyKeyReused

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("Location", "ETag")
MAX_KEY_LENGTH = 255


def idempotent(method):
    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        return run_idempotent(request, key, lambda: method(view, request, *args, **kwargs))

    return wrapper


def fingerprint(request) -> str:
    """SHA-256 of the method, the path and the parsed body (so key order and whitespace of
    the JSON do not matter)."""
    body = json.dumps(request.data, sort_keys=True, cls=JSONEncoder, default=str)
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _lock_id(user_id: int, key: str) -> int:
    digest = hashlib.sha256(f"{user_id}:{key}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _try_lock(user_id: int, key: str) -> bool:
    """Transaction-level advisory lock; other databases serialise writers themselves."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_id(user_id, key)])
        return bool(cursor.fetchone()[0])


def _replay(record: IdempotencyRecord) -> Response:
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.status_code, headers=headers)


def _validated_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError(
            {HEADER: [_("Send 1 to %(n)d printable characters.") % {"n": MAX_KEY_LENGTH}]}
        )
    return key


def run_idempotent(request, key: str, call) -> Response:
    key = _validated_key(key)
    user = request.user
    print_ = fingerprint(request)
    now = timezone.now()
    cutoff = now - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    with transaction.atomic():
        if not _try_lock(user.pk, key):
            raise IdempotencyInFlight()
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is not None and record.created_at < cutoff:
            record.delete()
            record = None
        if record is not None:
            if record.fingerprint != print_:
                raise IdempotencyKeyReused()
            return _replay(record)
        response = call()
        if 200 <= response.status_code < 300:
            _store(user, key, print_, response, now)
    return response


def _store(user, key: str, print_: str, response: Response, now) -> None:
    body = json.loads(JSONRenderer().render(response.data) or b"null")
    headers = {h: response[h] for h in STORED_HEADERS if response.has_header(h)}
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                fingerprint=print_,
                status_code=response.status_code,
                response_body=body,
                response_headers=headers,
                created_at=now,
            )
    except IntegrityError as exc:  # only without the advisory lock (not PostgreSQL)
        raise IdempotencyInFlight() from exc
