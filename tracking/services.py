"""Every state change of the tracking app, and what the customer is told when.

The customer hears through ``messaging.services.tell_customer`` (the customer-message
outbox): each message has a key, so it goes exactly once however often a hook or a task
runs. Nothing here blocks an incident: a message that cannot be queued is logged and the
incident moves on (the outbox's own retries deal with providers).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.types import Actor
from incidents import access, timeline
from incidents.models import Incident, Status
from messaging import services as messaging
from teams.models import Team, TeamKind
from tracking.exceptions import EtaNotAllowed, OutcomeAlreadyApproved
from tracking.models import ComplaintOutcome, Eta, EtaChange, TrackingLink

log = logging.getLogger(__name__)

# From confirmation until the technician is on site the ETA can be set and changed.
ETA_STATUSES = (Status.CONFIRMED, Status.DISPATCHED)
COMPLAINT_CATEGORY = "complaint"
CJK = re.compile(r"[\u3400-\u9fff]")


def tell(
    incident: Incident, kind: str, params: dict[str, str], *, key: str, now: datetime | None
) -> list:
    """Queue one customer message (exactly once per ``key``; the messages written, empty on
    a repeat). Runs in a savepoint: a failure is logged and never undoes the caller's
    change."""
    try:
        with transaction.atomic():
            return messaging.tell_customer(incident, kind, params, key=key, now=now)
    except Exception:  # the customer message must never block the incident
        log.exception("could not queue the %s message of incident %s", kind, incident.pk)
        return []


def local_time(value: datetime | None) -> str:
    """A time as the customer reads it in a message: local, to the minute."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- the tracking link ------------------------------------------------------------------


def ensure_link(incident: Incident, *, now: datetime | None = None) -> TrackingLink:
    """The incident's tracking link, made with a fresh unguessable token if it has none."""
    link, _created = TrackingLink.objects.get_or_create(
        incident=incident,
        defaults={"token": secrets.token_urlsafe(24), "created_at": now or timezone.now()},
    )
    return link


def link_url(link: TrackingLink) -> str:
    return settings.SITE_URL + reverse("tracking:page", args=[link.token])


def open_link(token: str) -> TrackingLink | None:
    """The link behind ``token`` (None when there is none; expired ones too)."""
    if not token or len(token) > 64:
        return None
    return (
        TrackingLink.objects.select_related("incident__assignee", "incident__team")
        .filter(token=token)
        .first()
    )


def link_expires_at(incident: Incident) -> datetime | None:
    """TRACKING_LINK_DAYS after the incident closed or was cancelled; None while open."""
    ended = incident.closed_at or incident.cancelled_at
    return ended + timedelta(days=settings.TRACKING_LINK_DAYS) if ended else None


def is_expired(incident: Incident, now: datetime) -> bool:
    expires = link_expires_at(incident)
    return expires is not None and expires <= now


# --- what the customer may read ---------------------------------------------------------


def given_name(user) -> str:
    """The technician as the customer may know them: the given name only. A Chinese
    full name held in one field (李娜) gives up its surname (the first character)."""
    if user is None:
        return ""
    first = (user.first_name or "").strip()
    if CJK.match(first):
        return first[1:] if len(first) > 1 else first
    return first.split()[0] if first else ""


def service_line(incident: Incident) -> str:
    """The phone the customer may call: the service centre on the job, else the service
    line (SERVICE_LINE_PHONE, or the customer service group's or HQ's phone)."""
    team = incident.team
    if team is not None and team.kind == TeamKind.SERVICE_CENTRE and team.phone:
        return team.phone
    if settings.SERVICE_LINE_PHONE:
        return settings.SERVICE_LINE_PHONE
    phones = dict(
        Team.objects.filter(kind__in=LINE_TEAMS, is_active=True)
        .exclude(phone="")
        .order_by("-pk")
        .values_list("kind", "phone")
    )
    return next((phones[kind] for kind in LINE_TEAMS if kind in phones), "")


# Whose phone is the service line when SERVICE_LINE_PHONE is not set, in order.
LINE_TEAMS = (TeamKind.CUSTOMER_SERVICE, TeamKind.HQ)


@dataclass
class Step:
    code: str
    at: datetime | None
    done: bool
    current: bool


STEP_FIELDS = (
    ("reported", "reported_at"),
    ("confirmed", "confirmed_at"),
    ("dispatched", "dispatched_at"),
    ("on_site", "arrived_at"),
    ("resolved", "resolved_at"),
    ("closed", "closed_at"),
)


def steps(incident: Incident) -> list[Step]:
    """The progress steps with their times; the last one reached is current."""
    out = [
        Step(code, getattr(incident, field), getattr(incident, field) is not None, False)
        for code, field in STEP_FIELDS
    ]
    reached = [s for s in out if s.done]
    if reached and incident.status != Status.CANCELLED:
        reached[-1].current = True
    return out


def current_eta(incident: Incident) -> datetime | None:
    return Eta.objects.filter(incident=incident).values_list("eta", flat=True).first()


# --- the ETA ------------------------------------------------------------------------------


def set_eta(incident: Incident, *, actor: Actor, eta: datetime, now: datetime | None = None) -> Eta:
    """Set or change the expected arrival (dispatch permission; before arrival). Records
    the change (who, when, old and new) and a timeline note; clears the lapsed-ETA prompt.
    A change after dispatch tells the customer (the dispatch message carries the first).
    Locks the incident row so two dispatchers' changes queue up."""
    now = now or timezone.now()
    access.require(actor, "dispatch", incident)
    if eta <= now - timedelta(minutes=5):
        raise ValidationError({"eta": [_("The expected arrival cannot be in the past.")]})
    if eta > now + timedelta(days=14):
        raise ValidationError({"eta": [_("The expected arrival is more than 14 days away.")]})
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status not in ETA_STATUSES:
            raise EtaNotAllowed()
        current = Eta.objects.filter(incident=locked).first()
        old = current.eta if current else None
        if old == eta:
            return current  # type: ignore[return-value]
        change = EtaChange.objects.create(
            incident=locked, old_eta=old, new_eta=eta, changed_at=now, changed_by=actor
        )
        values = {"eta": eta, "set_at": now, "set_by": actor, "prompted_at": None}
        current, _created = Eta.objects.update_or_create(incident=locked, defaults=values)
        timeline.write(
            [
                timeline.note(
                    locked,
                    actor=actor,
                    at=now,
                    text=timeline.Said(
                        gettext_noop("Expected arrival set to %(eta)s."), eta=local_time(eta)
                    ),
                    links={"eta_change": change.pk},
                )
            ]
        )
        # After dispatch the customer hears: the dispatch message itself if the job went
        # out without an ETA (it waited for one), else the change.
        if locked.status == Status.DISPATCHED and not tell_dispatched(locked, now=now):
            tell(
                locked,
                "eta_changed",
                {"number": locked.number or "", "eta": local_time(eta)},
                key=f"eta_changed:{change.pk}",
                now=now,
            )
    return current


def technician_label(incident: Incident) -> str:
    """Who is coming, for a message: the technician's given name, else the team."""
    return given_name(incident.assignee) or (incident.team.label if incident.team else "")


def tell_dispatched(incident: Incident, *, now: datetime | None = None) -> list:
    """The dispatch message (technician, ETA), once, when the job has an ETA."""
    eta = current_eta(incident)
    if eta is None:
        return []
    params = {
        "number": incident.number or "",
        "technician": technician_label(incident),
        "eta": local_time(eta),
    }
    return tell(incident, "dispatched", params, key=f"dispatched:{incident.pk}", now=now)


def eta_history(incident: Incident) -> list[EtaChange]:
    return list(EtaChange.objects.filter(incident=incident).select_related("changed_by"))


def lapsed_etas(now: datetime):
    """ETAs passed with nobody on site, not yet prompted (the partial index eta_unprompted)."""
    return Eta.objects.filter(
        prompted_at__isnull=True,
        eta__lt=now,
        incident__status__in=ETA_STATUSES,
    )


def prompt_lapsed_etas(*, now: datetime | None = None, limit: int = 200) -> int:
    """Beat: ask the dispatcher once per lapsed ETA to update it and tell the customer.

    Each ETA is claimed by a conditional UPDATE on ``prompted_at IS NULL``: two beats (or
    a beat overlapping a slow run) prompt once. A new ETA clears ``prompted_at``, so the
    new one is watched again. Returns how many were prompted."""
    from notifications.services import notify_users

    now = now or timezone.now()
    prompted = 0
    for eta in lapsed_etas(now).select_related("incident", "set_by")[:limit]:
        claimed = Eta.objects.filter(pk=eta.pk, prompted_at__isnull=True, eta=eta.eta).update(
            prompted_at=now
        )
        if not claimed:
            continue  # another run took it, or the ETA changed meanwhile
        prompted += 1
        incident = eta.incident
        users = _who_to_prompt(eta)
        if not users:
            continue
        url = settings.SITE_URL + reverse("incidents:detail", args=[incident.pk])

        def text(language: str, incident=incident, eta=eta) -> tuple[str, str]:
            from django.utils.translation import override

            with override(language):
                title = _("ETA passed: %(number)s") % {"number": incident.number}
                body = _(
                    "The expected arrival %(eta)s has passed and nobody is on site. "
                    "Update the ETA; the customer is told the new one."
                ) % {"eta": local_time(eta.eta)}
            return title, body

        try:
            notify_users(
                users,
                event="eta_lapsed",
                step=f"eta_lapsed:{incident.pk}:{eta.eta.timestamp():.0f}",
                text=text,
                url=url,
                now=now,
            )
        except Exception:  # the prompt on the incident page still shows
            log.exception("could not notify the lapsed ETA of incident %s", incident.pk)
    return prompted


def _who_to_prompt(eta: Eta) -> list[int]:
    """The dispatcher who set the ETA; if they are gone, the incident's reporter."""
    for user in (eta.set_by, eta.incident.reporter):
        if user is not None and user.is_active:
            return [user.pk]
    return []


# --- the complaint outcome ---------------------------------------------------------------


def is_complaint(incident: Incident) -> bool:
    return incident.category.slug == COMPLAINT_CATEGORY


def approve_complaint_outcome(
    incident: Incident, *, actor: Actor, text: str, now: datetime | None = None
) -> ComplaintOutcome:
    """Customer service approves the outcome text of a resolved complaint; the customer is
    told it (once). Approved is final: a second approval is refused."""
    now = now or timezone.now()
    if actor is None:  # an approval is a person's
        raise access.denied()
    access.require(actor, "view", incident)
    access.require_perm(actor, "tracking.approve_complaintoutcome")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the outcome the customer will read.")]})
    if len(text) > 500:
        raise ValidationError({"text": [_("Keep the outcome under 500 characters.")]})
    if not is_complaint(incident):
        raise ValidationError(_("Only a complaint has an outcome to approve."))
    if incident.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("The outcome is approved once the complaint is resolved."))
    with transaction.atomic():
        outcome, created = ComplaintOutcome.objects.get_or_create(
            incident=incident, defaults={"text": text, "approved_at": now, "approved_by": actor}
        )
        if not created:
            raise OutcomeAlreadyApproved()
        timeline.write(
            [
                timeline.note(
                    incident,
                    actor=actor,
                    at=now,
                    text=timeline.Said(
                        gettext_noop("Complaint outcome approved and sent to the customer.")
                    ),
                    links={"complaint_outcome": outcome.pk},
                )
            ]
        )
        tell(
            incident,
            "complaint_outcome",
            {"number": incident.number or "", "outcome": text},
            key=f"complaint_outcome:{incident.pk}",
            now=now,
        )
    return outcome
