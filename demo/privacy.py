"""Customer-data records of the demo: reveals by legal and logistics (with their reasons),
so the managers' reveal log and access report show each kind of row, and one closed
incident whose customer asked for erasure."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments.models import SignOff
from incidents.models import Incident, Status
from privacy import services
from privacy.models import Erasure, Field, RevealLog

# (username, hours ago, field, reason)
REVEALS = [
    ("legal", 50, Field.ALL, "客户投诉函需要核对姓名和电话 / Complaint letter: check the contact"),
    ("legal", 26, Field.PHONE, "监管部门问询回电 / Call back for the regulator's enquiry"),
    ("logistics", 5, Field.PHONE, "备件送达前与客户确认时间 / Agree the delivery time of a part"),
]
ERASURE_REASON = "客户申请删除个人信息 PIPL-2026-001 / Customer's erasure request"


def load() -> None:
    if RevealLog.objects.exists() or Erasure.objects.exists():
        return
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["legal", "logistics"])
    }
    if len(users) < 2:
        return
    now = timezone.now()
    # The customer's fields are encrypted: which ones hold a phone is read in Python.
    incidents = [i for i in Incident.objects.order_by("reported_at") if i.customer_phone]
    with transaction.atomic():
        for (username, hours, field, reason), incident in zip(REVEALS, incidents, strict=False):
            services.reveal(
                incident,
                user=users[username],
                field=field,
                reason=reason,
                now=now - timedelta(hours=hours),
            )
        erased = _erasable()
        if erased is not None:
            services.erase_customer_data(erased, actor=None, reason=ERASURE_REASON, now=now)


def _erasable() -> Incident | None:
    """A closed incident, one with the customer's signature if there is one."""
    closed = Incident.objects.filter(status=Status.CLOSED).order_by("closed_at")
    signed = closed.filter(pk__in=SignOff.objects.exclude(signature="").values("incident_id"))
    return signed.first() or closed.first()
