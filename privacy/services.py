"""Reveals, the access log, erasure and retention of customers' personal data.

Every change here runs in a transaction; erasure writes the incident's timeline through
``incidents.timeline`` and deletes stored files only once the transaction has committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessments.models import SignOff
from core.types import Actor
from customers import services as customer_services
from customers.models import Customer
from incidents import timeline
from incidents.access import denied
from incidents.models import Incident, IncidentEvent, IncidentPhoto, Status
from incidents.services import lookup
from privacy import policy
from privacy.models import AccessKind, AccessLog, Erasure, Field, RevealLog

log = logging.getLogger(__name__)

REASON_MAX = 500
# An export lists the ids of the incidents it held up to this many (beyond, the filters
# and the count say what it held).
EXPORT_IDS_MAX = 100_000
ERASED_SIGNOFF_REASON = "personal data erased"


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say why you need to see it.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": REASON_MAX}]})
    return reason


# --- reveal and access ------------------------------------------------------------------


def reveal(
    incident: Incident, *, user, reason: str, field: str = Field.ALL, now: datetime | None = None
) -> policy.CustomerView:
    """Show ``user`` the customer of ``incident`` in clear, for ``policy.REVEAL_MINUTES``,
    and log it (who, when, which incident and field, why). Refused (PermissionDenied) to a
    user who may not reveal; ``ValidationError`` without a reason."""
    if not policy.may_reveal(user, incident):
        raise denied()
    if field not in Field.values:
        raise ValidationError({"field": [_("Choose what to reveal.")]})
    reason = _reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        RevealLog.objects.create(
            user=user, incident=incident, field=field, reason=reason, created_at=now
        )
        AccessLog.objects.create(
            user=user, kind=AccessKind.REVEAL, incident_id=incident.pk, detail=field, created_at=now
        )
    return policy.customer_view(user, incident)


def record_access(
    user: Actor, incident: Incident, *, kind: str, view: policy.CustomerView | None = None
) -> None:
    """One INSERT: ``user`` received the customer data of ``incident`` in clear. Nothing is
    written when what they got was masked, hidden or empty (no personal data went out)."""
    if user is None:
        return
    view = view or policy.customer_view(user, incident, check_reveals=False)
    if view.empty or view.level in (policy.MASKED, policy.HIDDEN):
        return
    AccessLog.objects.create(
        user=user, kind=kind, incident_id=incident.pk, created_at=timezone.now()
    )


def record_export(user: Actor, incident_ids: list[int], *, detail: str = "") -> None:
    """One INSERT: ``user`` exported the customer data of these incidents in clear."""
    if user is None or not incident_ids:
        return
    AccessLog.objects.create(
        user=user,
        kind=AccessKind.EXPORT,
        incident_ids=incident_ids[:EXPORT_IDS_MAX],
        rows=len(incident_ids),
        detail=detail[:500],
        created_at=timezone.now(),
    )


@dataclass
class AccessRow:
    at: datetime
    user_id: int | None
    username: str
    kind: str
    kind_label: str
    incident_ids: list[int]
    rows: int
    reason: str


def access_report(start: datetime, end: datetime, *, user_id: int | None = None):
    """Who accessed which customers' records in [start, end): the access log (pages, API,
    exports, reveals) with each reveal's reason, oldest first. An iterator of AccessRow,
    read in chunks (a breach notice may cover months)."""
    from django.contrib.auth import get_user_model

    labels = dict(AccessKind.choices)
    logs = AccessLog.objects.filter(created_at__gte=start, created_at__lt=end)
    reveals = RevealLog.objects.filter(created_at__gte=start, created_at__lt=end)
    if user_id:
        logs, reveals = logs.filter(user_id=user_id), reveals.filter(user_id=user_id)
    reasons: dict[tuple, str] = {
        (r.user_id, r.incident_id, r.created_at): r.reason
        for r in reveals.only("user_id", "incident_id", "created_at", "reason")
    }
    names = dict(get_user_model().objects.values_list("pk", "username"))
    for entry in logs.order_by("created_at", "id").iterator(chunk_size=2000):
        ids = entry.incident_ids or ([entry.incident_id] if entry.incident_id else [])
        yield AccessRow(
            at=entry.created_at,
            user_id=entry.user_id,
            username=names.get(entry.user_id, "") if entry.user_id else "",
            kind=entry.kind,
            kind_label=str(labels.get(entry.kind, entry.kind)),
            incident_ids=ids,
            rows=entry.rows,
            reason=reasons.get((entry.user_id, entry.incident_id, entry.created_at), ""),
        )


# --- erasure --------------------------------------------------------------------------


def incidents_of_customer(*, phone: str = "", name: str = ""):
    """The incidents whose customer has exactly this phone or this name (the desk's exact
    search: the encrypted fields' blind indexes)."""
    match = Q()
    if phone.strip():
        match |= Q(customer_phone_bidx=lookup.phone_index(phone))
        # ... and every incident of the customer record with this phone (a returning
        # customer may have called from another number).
        customer = customer_services.find_by_phone(phone)
        if customer is not None:
            match |= Q(customer=customer)
    if name.strip():
        match |= Q(customer_name_bidx=lookup.name_index(name))
    if not match:
        return Incident.objects.none()
    return Incident.objects.filter(match)


def _files_of(incident: Incident) -> tuple[list[str], SignOff | None, list[IncidentPhoto]]:
    signoff = SignOff.objects.filter(incident=incident).first()
    photos = list(IncidentPhoto.objects.filter(incident=incident))
    names = [str(p.image.name) for p in photos if p.image]
    if signoff and signoff.signature:
        names.append(str(signoff.signature.name))
    return names, signoff, photos


def has_personal_data(incident: Incident) -> bool:
    if incident.customer_name or incident.customer_phone:
        return True
    signoff = SignOff.objects.filter(incident=incident).first()
    if signoff and (signoff.signature or signoff.signer_name):
        return True
    return IncidentPhoto.objects.filter(incident=incident).exists()


def _erase_one(incident: Incident, *, actor: Actor, reason: str, now: datetime) -> Erasure | None:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if not has_personal_data(locked):
        return None
    files, signoff, photos = _files_of(locked)
    removed: dict = {
        "name": bool(locked.customer_name),
        "phone": bool(locked.customer_phone),
        "photos": len(photos),
        "signature": bool(signoff and (signoff.signature or signoff.signer_name)),
    }
    locked.customer_name = ""
    locked.customer_phone = ""
    # update_fields without updated_at: KPIs and the live page's version read the times of
    # the work, which an erasure does not change.
    locked.save(update_fields=["customer_name", "customer_phone"])
    if signoff and removed["signature"]:
        SignOff.objects.filter(pk=signoff.pk).update(
            signer_name="",
            signature="",
            no_signature_reason=signoff.no_signature_reason or ERASED_SIGNOFF_REASON,
        )
    if photos:
        IncidentPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()
    timeline.scrub_personal_diffs(IncidentEvent.objects.filter(incident=locked))
    erasure = Erasure.objects.create(
        incident=locked, actor=actor, reason=reason, removed=removed, created_at=now
    )
    said = timeline.Said(gettext_noop("Personal data erased."))
    timeline.write([timeline.note(locked, actor=actor, at=now, text=said)])
    transaction.on_commit(lambda: _delete_files(files))
    return erasure


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # already gone, or the storage refuses: the row no longer names it
            log.warning("could not delete %s", name)


def erase_customer_data(
    incidents, *, actor: Actor, reason: str, now: datetime | None = None
) -> list[Erasure]:
    """Erase the customer's personal data of ``incidents`` (an incident, or a queryset or
    list of them): name and phone emptied, the customer's signature and the incident's
    photos deleted (rows now, files after commit), the values in old edit diffs dropped.
    The incident keeps its status, times, KPIs, vehicle and timeline, which records
    "personal data erased". Incidents with nothing left to erase are skipped (safe to run
    twice). Needs ``privacy.erase_customer_data`` (``actor`` None: the system)."""
    if actor is not None and not actor.has_perm("privacy.erase_customer_data"):
        raise denied()
    reason = _reason(reason)
    now = now or timezone.now()
    if isinstance(incidents, Incident):
        incidents = [incidents]
    done = []
    customer_ids = set()
    for incident in incidents:
        with transaction.atomic():
            erasure = _erase_one(incident, actor=actor, reason=reason, now=now)
        if erasure:
            done.append(erasure)
        if incident.customer_id:
            customer_ids.add(incident.customer_id)
    _erase_customers_left_without_data(customer_ids, now=now)
    return done


def _erase_customers_left_without_data(customer_ids, *, now: datetime) -> int:
    """The customer records (customers/) none of whose incidents holds personal data any
    more: their name, phones and WeChat id are cleared too (a returning caller is then
    a new record). Returns how many."""
    still_personal = Incident.objects.filter(customer=OuterRef("pk")).exclude(
        customer_phone_bidx="", customer_name_bidx=""
    )
    count = 0
    for customer in Customer.objects.filter(pk__in=customer_ids, erased_at=None).exclude(
        Exists(still_personal)
    ):
        with transaction.atomic():
            count += customer_services.erase(customer, now=now)
    return count


def _erase_idle_customers(cutoff: datetime, *, now: datetime) -> int:
    """Retention of customer records with no incident (created by the API or left by a
    merge's source): cleared once unchanged since ``cutoff``."""
    count = 0
    idle = Customer.objects.filter(erased_at=None, updated_at__lt=cutoff).exclude(
        Exists(Incident.objects.filter(customer=OuterRef("pk")))
    )
    for customer in idle.iterator():
        with transaction.atomic():
            count += customer_services.erase(customer, now=now)
    return count


def erase_customer(
    customer: Customer, *, actor: Actor, reason: str, now: datetime | None = None
) -> list[Erasure]:
    """A customer's erasure request: the personal data of every incident of the record
    (and of records merged into it) is erased (``erase_customer_data``), then the record's
    own name, phones and WeChat id. Needs ``privacy.erase_customer_data``."""
    if actor is not None and not actor.has_perm("privacy.erase_customer_data"):
        raise denied()
    reason = _reason(reason)
    now = now or timezone.now()
    done = erase_customer_data(
        list(Incident.objects.filter(customer=customer)), actor=actor, reason=reason, now=now
    )
    with transaction.atomic():
        customer_services.erase(customer, now=now)
    return done


def erase_expired(*, now: datetime | None = None, days: int | None = None, batch: int = 200) -> int:
    """Retention: erase the personal data of incidents closed (or cancelled) more than
    ``days`` (settings.PERSONAL_DATA_RETENTION_DAYS) ago and not erased yet, ``batch`` at a
    time until none is left. Off when the setting is empty or 0. Returns how many."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    if not days:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    erased = Erasure.objects.filter(incident=OuterRef("pk"))
    due = (
        Incident.objects.filter(
            Q(status=Status.CLOSED, closed_at__lt=cutoff)
            | Q(status=Status.CANCELLED, cancelled_at__lt=cutoff)
        )
        .filter(~Exists(erased))
        .order_by("pk")
    )
    reason = f"retention: closed more than {days} days ago"
    total, last = 0, 0
    customer_ids: set[int] = set()
    while True:
        chunk = list(due.filter(pk__gt=last)[:batch])
        if not chunk:
            _erase_customers_left_without_data(customer_ids, now=now)
            _erase_idle_customers(cutoff, now=now)
            return total
        last = chunk[-1].pk
        for incident in chunk:
            if incident.customer_id:
                customer_ids.add(incident.customer_id)
            with transaction.atomic():
                erasure = _erase_one(incident, actor=None, reason=reason, now=now)
                if erasure is None:
                    # Nothing to erase: mark it so the next run does not look again.
                    Erasure.objects.create(
                        incident=incident, actor=None, reason=reason, removed={}, created_at=now
                    )
                else:
                    total += 1
