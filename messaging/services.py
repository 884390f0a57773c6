"""Customer messages: what is enqueued (``tell_customer``, inside the caller's transaction),
the rules that decide whether and when it may go (one place: ``verdict``), and delivery
(claimed with SELECT ... FOR UPDATE SKIP LOCKED, retried with backoff, every try logged).

Exactly once: the outbox row's unique key (incident, key, channel, recipient) means a
repeated ``tell_customer`` writes nothing; a claim bumps the row's ``claims`` counter, and
every write of the worker that claimed names it, so a second worker never sends a row
another one holds, and a worker that lost its claim (its lease ran out) writes nothing.
A worker that dies after the provider accepted a message but before it recorded so sends
it again when its lease runs out: the provider's idempotency field (Alibaba's OutId,
Tencent's SessionContext) carries the message's key so the two can be matched.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from core.crypto import blind_index, normalise_phone
from core.logging import bind_incident
from customers.phones import MOBILE
from messaging import providers
from messaging.kinds import KINDS, missing_params
from messaging.models import (
    Channel,
    CustomerMessage,
    MessageAttempt,
    PhoneOptOut,
    Reason,
    Status,
)

log = logging.getLogger(__name__)

# A claimed message goes back to the queue if its worker died before recording an outcome.
LEASE = timedelta(seconds=60)
# Reasons that end a message at once: retrying does not help.
PERMANENT = {Reason.NO_TEMPLATE, Reason.REFUSED}


# --- who: the addresses the customer can be reached at --------------------------------------


@dataclass(frozen=True)
class Address:
    channel: str
    provider: str
    address: str
    recipient: str


def _digest(kind: str, value: str) -> str:
    mac = hmac.new(settings.BLIND_INDEX_KEY.encode(), f"{kind}\0{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def is_mobile(phone: str) -> bool:
    return bool(MOBILE.match(normalise_phone(phone)))


def _customer(incident):
    customer = getattr(incident, "customer", None)
    if customer is None or customer.erased_at is not None:
        return None
    return customer


def language_of(incident) -> str:
    customer = _customer(incident)
    return customer.language if customer is not None else "zh-hans"


def addresses(incident) -> list[Address]:
    """Where the customer of ``incident`` can be reached: an SMS to their mobile (the
    customer record's primary phone, else the phone on the report), WeChat when they have
    an id and WeChat is configured, email when their record has an address."""
    customer = _customer(incident)
    found: list[Address] = []
    phone = (customer.primary_phone if customer is not None else "") or incident.customer_phone
    provider = settings.MESSAGING_SMS_PROVIDER
    if phone and is_mobile(phone) and provider != "off":
        digits = normalise_phone(phone)
        found.append(Address(Channel.SMS, provider, digits, blind_index("phone", digits)))
    wechat_id = getattr(customer, "wechat_id", "") if customer is not None else ""
    if wechat_id and settings.WECHAT_APP_ID:
        found.append(Address(Channel.WECHAT, "wechat", wechat_id, _digest("wechat", wechat_id)))
    email = getattr(customer, "email", "") if customer is not None else ""
    if email:
        found.append(Address(Channel.EMAIL, "email", email, _digest("email", email.lower())))
    return found


def is_safety(incident) -> bool:
    return incident.category.slug in settings.MESSAGING_SAFETY_CATEGORIES


# --- what: the outbox, inside the caller's transaction --------------------------------------


def tell_customer(
    incident,
    kind: str,
    params: dict[str, str],
    *,
    key: str,
    legally_required: bool = False,
    now: datetime | None = None,
) -> list[CustomerMessage]:
    """Enqueue message ``kind`` (messaging/kinds.py says its ``params``) to the customer of
    ``incident``: one per channel they can be reached on, in their language, delivered after
    the caller's transaction commits. ``key`` names the occasion: a repeated call with the
    same key writes nothing. Returns the messages written now (empty on a repeat, or when
    the customer cannot be reached). The rules (``verdict``) apply at once: an opted-out
    phone's message is written as not sent, with its reason."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    missing = missing_params(kind, params)
    if missing:
        raise ValueError(f"message {kind!r} needs {', '.join(missing)}")
    now = now or timezone.now()
    language = language_of(incident)
    urgent = is_safety(incident)
    clean = {p: str(params[p]) for p in KINDS[kind].params}
    rows = []
    for a in addresses(incident):
        message = CustomerMessage(
            incident=incident,
            key=key[:80],
            kind=kind,
            channel=a.channel,
            provider=a.provider,
            recipient=a.recipient,
            address=a.address,
            language=language,
            params=clean,
            legally_required=legally_required,
            urgent=urgent,
            created_at=now,
            next_attempt_at=now,
        )
        judged = verdict(message, now=now, incident=incident)
        if judged.action == "suppress":
            message.status, message.reason, message.next_attempt_at = (
                Status.SUPPRESSED,
                judged.reason,
                None,
            )
        elif judged.action == "defer":
            message.reason, message.next_attempt_at = judged.reason, judged.until
        rows.append(message)
    if not rows:
        return []
    written = _insert(rows)
    if any(m.status == Status.PENDING for m in written):
        transaction.on_commit(kick_delivery)
    return written


def _insert(rows: list[CustomerMessage]) -> list[CustomerMessage]:
    """Insert, skipping rows whose key exists; return those inserted."""
    existing = set(
        CustomerMessage.objects.filter(
            incident=rows[0].incident, key=rows[0].key, channel__in=[r.channel for r in rows]
        ).values_list("channel", "recipient")
    )
    fresh = [r for r in rows if (r.channel, r.recipient) not in existing]
    if not fresh:
        return []
    # ON CONFLICT DO NOTHING covers a racing second call between the read and the write.
    CustomerMessage.objects.bulk_create(fresh, ignore_conflicts=True)
    keys = {(r.channel, r.recipient) for r in fresh}
    return [
        m
        for m in CustomerMessage.objects.filter(
            incident=rows[0].incident, key=rows[0].key, created_at=rows[0].created_at
        )
        if (m.channel, m.recipient) in keys
    ]


def kick_delivery() -> None:
    """Ask a worker to deliver now; kicks collapse to one waiting (messaging.tasks)."""
    from messaging.tasks import kick

    kick()


# --- the rules, in one place -----------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    action: str  # "send", "defer" or "suppress"
    reason: str = ""
    until: datetime | None = None


SEND = Verdict("send")


def _quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours (local time) if ``now`` is inside them, else None."""
    start, end = settings.MESSAGING_QUIET_HOURS
    if start == end:
        return None
    local = now.astimezone(ZoneInfo(settings.MESSAGING_TIME_ZONE))
    hour = local.hour + local.minute / 60
    inside = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not inside:
        return None
    morning = local.replace(hour=int(end), minute=round(end % 1 * 60), second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return morning


def _rate_limited_until(recipient: str, now: datetime) -> datetime | None:
    """When the next SMS to this phone may go, if its hourly or daily limit is used up."""
    for window, limit in (
        (timedelta(hours=1), settings.MESSAGING_SMS_PER_PHONE_HOUR),
        (timedelta(days=1), settings.MESSAGING_SMS_PER_PHONE_DAY),
    ):
        if not limit:
            continue
        sent = list(
            CustomerMessage.objects.filter(
                channel=Channel.SMS,
                status=Status.SENT,
                recipient=recipient,
                sent_at__gt=now - window,
            )
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)[:limit]
        )
        if len(sent) >= limit and sent[-1] is not None:
            return sent[-1] + window
    return None


def opted_out(message: CustomerMessage, customer) -> bool:
    """The customer record says whether its phone unsubscribed (customers.services.opt_out,
    undone by opt_in_sms); a phone with no customer record is looked up in PhoneOptOut."""
    if customer is not None:
        return customer.sms_opt_out
    return PhoneOptOut.objects.filter(phone_bidx=message.recipient).exists()


def verdict(message: CustomerMessage, *, now: datetime, incident=None) -> Verdict:
    """May ``message`` go now? The rules, in order:

    1. A customer who revoked consent gets only legally required messages (suppressed).
    2. A phone that unsubscribed (TD) gets no SMS but legally required ones (suppressed).
    3. No SMS in the quiet hours (22:00-08:00 Asia/Shanghai by default) unless the incident
       is in a safety category or the message is legally required: deferred to the morning.
    4. At most MESSAGING_SMS_PER_PHONE_HOUR / _DAY SMS to one phone: deferred.
    """
    incident = incident or message.incident
    customer = _customer(incident)
    if message.legally_required:
        return SEND
    if customer is not None and not customer.may_message:
        return Verdict("suppress", Reason.CONSENT_REVOKED)
    if message.channel != Channel.SMS:
        return SEND
    if opted_out(message, customer):
        return Verdict("suppress", Reason.OPTED_OUT)
    if not message.urgent:
        until = _quiet_until(now)
        if until is not None:
            return Verdict("defer", Reason.QUIET_HOURS, until)
    until = _rate_limited_until(message.recipient, now)
    if until is not None:
        return Verdict("defer", Reason.RATE_LIMIT, until)
    return SEND


# --- opt-out ---------------------------------------------------------------------------------

UNSUBSCRIBE_WORDS = {"TD", "T", "N", "0000", "退订", "退定", "UNSUBSCRIBE", "STOP"}


def is_unsubscribe(text: str) -> bool:
    return (text or "").strip().upper().rstrip("。.!！") in UNSUBSCRIBE_WORDS  # noqa: RUF001


def opt_out_phone(phone: str, *, source: str, now: datetime | None = None) -> bool:
    """No more SMS to ``phone`` but legally required ones: its customer record is marked
    (customers.services.opt_out, undone there by opt_in_sms); a phone with no customer
    record is remembered in PhoneOptOut. Pending SMS to it are suppressed. ``source`` is a
    customers.models.ConsentSource ("sms": a TD reply; "desk"). Returns whether the phone
    was known (a customer's, or messaged before)."""
    from customers import services as customer_services
    from customers.models import Customer

    now = now or timezone.now()
    bidx = blind_index("phone", phone)
    if not bidx:
        return False
    with transaction.atomic():
        customers = list(Customer.objects.by_phone(phone))
        for customer in customers:
            customer_services.opt_out(customer, "sms", source, now=now)
        if not customers:
            PhoneOptOut.objects.get_or_create(
                phone_bidx=bidx, defaults={"source": source[:40], "created_at": now}
            )
        CustomerMessage.objects.filter(
            channel=Channel.SMS,
            recipient=bidx,
            status=Status.PENDING,
            legally_required=False,
        ).update(status=Status.SUPPRESSED, reason=Reason.OPTED_OUT, next_attempt_at=None)
    return bool(customers) or CustomerMessage.objects.filter(recipient=bidx).exists()


# --- delivery --------------------------------------------------------------------------------


def backoff(attempt: int) -> timedelta:
    """Wait before retry ``attempt`` + 1: exponential from the base, capped."""
    seconds = settings.MESSAGING_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1)
    return timedelta(seconds=min(seconds, settings.MESSAGING_RETRY_CAP_SECONDS))


def claim_due(*, now: datetime | None = None, limit: int = 50) -> list[tuple[int, int]]:
    """Claim due messages: (id, claim) pairs. Racing workers take disjoint rows (FOR UPDATE
    SKIP LOCKED); a message left ``sending`` by a dead worker is due again once its lease
    has run out."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            CustomerMessage.objects.select_for_update(skip_locked=True)
            .filter(status__in=[Status.PENDING, Status.SENDING], next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        CustomerMessage.objects.filter(pk__in=ids).update(
            status=Status.SENDING, claims=F("claims") + 1, next_attempt_at=now + LEASE
        )
        return list(CustomerMessage.objects.filter(pk__in=ids).values_list("pk", "claims"))


def claim_one(pk: int, *, now: datetime | None = None) -> int | None:
    """Claim message ``pk`` if it is due (the demo, a manual retry): its claim, or None."""
    now = now or timezone.now()
    claimed = CustomerMessage.objects.filter(
        pk=pk, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claims=F("claims") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return CustomerMessage.objects.values_list("claims", flat=True).get(pk=pk)


def deliver(
    pk: int,
    claim: int,
    *,
    now: datetime | None = None,
    send: Callable[[CustomerMessage], providers.Sent] = providers.send,
) -> bool | None:
    """Apply the rules to claimed message ``pk`` and, if it may go, hand it to its provider
    (``send``: the adapters of providers.py) and record the outcome. Returns True (sent),
    False (not sent: waits, retries, failed or suppressed) or None (the claim is stale)."""
    message = (
        CustomerMessage.objects.select_related("incident__category", "incident__customer")
        .filter(pk=pk, status=Status.SENDING, claims=claim)
        .first()
    )
    if message is None:
        return None
    bind_incident(message.incident.number or "")
    mine = CustomerMessage.objects.filter(pk=pk, status=Status.SENDING, claims=claim)
    judged = verdict(message, now=now or timezone.now())
    if judged.action == "suppress":
        mine.update(status=Status.SUPPRESSED, reason=judged.reason, next_attempt_at=None)
        return False
    if judged.action == "defer":
        mine.update(status=Status.PENDING, reason=judged.reason, next_attempt_at=judged.until)
        return False
    attempt = message.attempts + 1
    started = timezone.now()
    clock = time.monotonic()
    try:
        result = send(message)
        ok, failure = True, None
    except providers.ProviderError as exc:
        ok, failure, result = False, exc, None
    now = now or timezone.now()
    with transaction.atomic():
        MessageAttempt.objects.create(
            message=message,
            number=attempt,
            started_at=started,
            duration_ms=int((time.monotonic() - clock) * 1000),
            ok=ok,
            status_code=(
                result.status_code if result else failure.status_code if failure else None
            ),
            code=((result.code if result else failure.code if failure else "") or "")[:100],
            error=(str(failure) if failure else "")[:500],
        )
        if ok and result is not None:
            changed = mine.update(
                status=Status.SENT,
                attempts=attempt,
                sent_at=now,
                next_attempt_at=None,
                reason="",
                provider_reason="",
                provider_message_id=result.message_id[:100],
            )
            outcome = "message_delivered"
        elif failure is not None:
            reason = failure.reason
            final = reason in PERMANENT or attempt >= settings.MESSAGING_MAX_ATTEMPTS
            changed = mine.update(
                status=Status.FAILED if final else Status.PENDING,
                attempts=attempt,
                reason=reason,
                provider_reason=str(failure)[:500],
                next_attempt_at=None if final else now + backoff(attempt),
            )
            outcome = "message_failed" if final else ""
        if changed and outcome:
            message.refresh_from_db()
            _tell_integrations(message, outcome, now)
    return ok


def _tell_integrations(message: CustomerMessage, event: str, now: datetime) -> None:
    """The seams named in settings.MESSAGING_OUTCOME_HOOKS hear of a message delivered or
    failed (notifications writes its integration webhooks), in this transaction."""
    for path in settings.MESSAGING_OUTCOME_HOOKS:
        import_string(path)(message, event, now=now)


def deliver_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Claim and deliver what is due, in this process (tests, the management path)."""
    claimed = claim_due(now=now, limit=limit)
    for pk, claim in claimed:
        deliver(pk, claim, now=now)
    return len(claimed)


BATCH = 48
THREADS = 8
DELIVERY_LOCK = 0x6D736773  # advisory lock key ("msgs"): one delivery loop at a time


def deliver_batches(*, budget_seconds: float = 5.0) -> int:
    """Claim and deliver batches on THREADS threads until nothing is due or the time budget
    is spent. One loop at a time per database (an advisory lock, like the notifications'
    loop), so customer messages never occupy every worker process. Returns tries."""
    with _exclusive(DELIVERY_LOCK) as mine:
        return _deliver_loop(budget_seconds) if mine else 0


@contextmanager
def _exclusive(key: int) -> Iterator[bool]:
    if connection.vendor != "postgresql":  # SQLite has one writer at a time anyway
        yield True
        return
    from core.locks_pg import exclusive

    with exclusive(key) as mine:
        yield mine


def _deliver_loop(budget_seconds: float) -> int:
    from concurrent.futures import ThreadPoolExecutor

    started, total = time.monotonic(), 0
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        while time.monotonic() - started < budget_seconds:
            claimed = claim_due(limit=BATCH)
            if not claimed:
                break
            list(pool.map(lambda c: _deliver_in_thread(*c), claimed))
            total += len(claimed)
    return total


def _deliver_in_thread(pk: int, claim: int) -> None:
    from django.db import connection as thread_connection

    try:
        deliver(pk, claim)
    except Exception:
        log.exception("delivery of customer message %s failed", pk)
    finally:
        thread_connection.close()
