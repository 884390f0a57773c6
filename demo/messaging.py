"""Demo customer messages (DEMO ONLY): one of each state on the delivery log.

``load()`` runs after the demo incidents exist (their lifecycle hooks have queued the
customer's progress messages; the worker of ``make run`` sends them through the console
adapter). Added here, through messaging.services, so the incident page shows every state:
sent; failed with the provider's reason (a template the provider refused); not sent,
because the phone replied TD; not sent, because the customer revoked consent; and waiting,
because the phone had its hour's SMS (the per-phone limit). At night the messages the demo
queued wait for 08:00 (quiet hours) too. Idempotent: a message with a ``demo:`` key is the
marker.
"""

from __future__ import annotations

from django.utils import timezone

from customers import services as customer_services
from incidents.models import Incident, Status
from messaging import services
from messaging.models import CustomerMessage, Reason
from messaging.providers import ProviderError


def load() -> None:
    if CustomerMessage.objects.filter(key__startswith="demo:").exists():
        return
    now = timezone.now()
    # One incident per customer: an opt-out or a revoked consent must not reach the others;
    # a resolved incident first (its survey message is the one that fails).
    incidents = sorted(
        Incident.objects.filter(customer__isnull=False)
        .select_related("customer", "category")
        .order_by("reported_at"),
        key=lambda i: i.status != Status.RESOLVED,
    )
    by_customer: dict[int, Incident] = {}
    for i in incidents:
        if i.customer_id and i.customer_id not in by_customer and services.addresses(i):
            by_customer[i.customer_id] = i
    if len(by_customer) < 4:
        return
    resolved, *others = by_customer.values()
    _sent_and_failed(resolved, now)
    _rate_limited(others[0], now)
    _opted_out(others[1], now)
    _consent_revoked(others[2], now)


def _params(incident: Incident) -> dict[str, str]:
    return {
        "number": incident.number or "",
        "summary": (incident.resolution or incident.title)[:60],
        "survey_url": f"https://example.com/s/{incident.pk}",
        "outcome": "已为您免费更换电池模块。",
    }


def _send(message, now, send=services.providers.send) -> None:
    claim = services.claim_one(message.pk, now=now)
    if claim is not None:
        services.deliver(message.pk, claim, now=now, send=send)


def _refused(message):
    raise ProviderError(
        "isv.SMS_TEMPLATE_ILLEGAL: 模板不合法(不存在或被拉黑)", reason=Reason.REFUSED
    )


def _sent_and_failed(incident: Incident, now) -> None:
    p = _params(incident)
    for m in services.tell_customer(incident, "resolved", p, key="demo:resolved", now=now):
        _send(m, now)
    for m in services.tell_customer(incident, "complaint_outcome", p, key="demo:outcome", now=now):
        _send(m, now, send=_refused)


def _rate_limited(incident: Incident, now) -> None:
    """The hour's SMS to this phone are used up: the next one waits."""
    from django.conf import settings

    limit = settings.MESSAGING_SMS_PER_PHONE_HOUR or 0
    p = _params(incident)
    for n in range(limit + 1):
        for m in services.tell_customer(
            incident, "survey_reminder", p, key=f"demo:reminder:{n}", now=now
        ):
            _send(m, now)


def _opted_out(incident: Incident, now) -> None:
    """The customer replied TD: the phone's SMS are not sent."""
    customer = incident.customer
    if customer is None:  # load() picks incidents with a customer
        return
    customer_services.opt_out(customer, "sms", "sms", now=now)
    customer.refresh_from_db()
    services.tell_customer(incident, "survey_reminder", _params(incident), key="demo:td", now=now)


def _consent_revoked(incident: Incident, now) -> None:
    customer = incident.customer
    if customer is None:
        return
    customer_services.opt_out(customer, "all", "phone", now=now)
    customer.refresh_from_db()
    services.tell_customer(
        incident, "survey_reminder", _params(incident), key="demo:consent", now=now
    )
