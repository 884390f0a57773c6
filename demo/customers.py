"""The demo's customer records (DEMO ONLY): the callers of demo/data.py are returning
customers (each reported several of the demo incidents, linked at intake by their phone);
here they get what a desk would have recorded about them: languages, consents, a WeChat id,
one revoked consent, one SMS opt-out ("TD"), and one pair of duplicates for a manager to
merge on the customer page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from customers import services
from customers.models import ConsentSource, Customer, Language
from incidents.models import Incident

# phone (as in demo/data.py) -> (language, WeChat id)
PROFILES = {
    "+86 139 0171 2233": (Language.ZH_HANS, "wmDemoZhouJianhua"),
    "+86 137 5522 0912": (Language.ZH_HANS, ""),
    "+86 136 2288 4410": (Language.EN, ""),
    "+86 135 0066 7788": (Language.ZH_HANS, "wmDemoWangLi"),
    "+86 21 5550 0101": (Language.ZH_HANS, ""),
}
REVOKED = "+86 137 5522 0912"  # Lin Xiaoyan: no more progress messages, please
OPTED_OUT = "+86 136 2288 4410"  # Huang Zhiming replied "TD" to an SMS
# Zhao Min, logged once more from her second mobile as "赵敏" (typed in twice): the manager
# merges this record into hers on the customer page.
DUPLICATE_OF = "+86 138 1900 3355"
DUPLICATE = ("赵敏", "+86 186 1900 3355")


def load() -> None:
    if Customer.objects.filter(consent__isnull=False).exists():
        return
    now = timezone.now()
    for record in Customer.objects.filter(merged_into=None):
        if record.consent is None:
            services.set_consent(
                record, given=True, source=ConsentSource.PHONE, now=now - timedelta(days=9)
            )
    for phone, (language, wechat_id) in PROFILES.items():
        customer = services.find_by_phone(phone)
        if customer is not None:
            services.update_customer(customer, actor=None, language=language, wechat_id=wechat_id)
    revoked = services.find_by_phone(REVOKED)
    if revoked is not None:
        services.set_consent(
            revoked, given=False, source=ConsentSource.PHONE, now=now - timedelta(days=2)
        )
    opted_out = services.find_by_phone(OPTED_OUT)
    if opted_out is not None:
        services.opt_out(opted_out, "sms", ConsentSource.SMS, now=now - timedelta(days=1))
    _duplicate(now)


def _duplicate(now) -> None:
    original = services.find_by_phone(DUPLICATE_OF)
    if original is None:
        return
    name, phone = DUPLICATE
    duplicate = services.create_customer(
        actor=None,
        name=name,
        phones=[phone],
        consent=True,
        consent_source=ConsentSource.PHONE,
        now=now - timedelta(days=4),
    )
    # One of her incidents was logged under the duplicate (demo only: as a desk without the
    # phone lookup would have done), so the merge has an incident to move.
    last = Incident.objects.filter(customer=original).order_by("-reported_at").first()
    if last is not None:
        Incident.objects.filter(pk=last.pk).update(customer=duplicate)
