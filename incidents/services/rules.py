"""The rules every incident service applies: deadlines, who may do what in which status,
and the report's normalisation. What other apps do on each transition is the lifecycle
table in settings (incidents/services/hooks.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import refcache
from core.types import Actor
from incidents.access import ACTION_PERMS, can, require  # noqa: F401 (ACTION_PERMS re-exported)
from incidents.exceptions import InvalidTransition
from incidents.models import (
    OPEN_STATUSES,
    Category,
    Incident,
    ResponsePolicy,
    Status,
)
from incidents.seed import TARGETS

# How far in the future a client clock may put ``reported_at`` before we refuse it.
CLOCK_SKEW = timedelta(minutes=5)

EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "channel",
    "service_mode",
    "customer_name",
    "customer_phone",
    "asset_ref",
    "location",
    "latitude",
    "longitude",
    "impact_scope",
    "initial_handling",
    "external_ref",
)


@dataclass(frozen=True)
class Deadlines:
    confirm: datetime
    arrive: datetime
    resolve: datetime


# --- reads used by the services and their callers --------------------------------------


def policy_for(grade: str) -> ResponsePolicy:
    """The response policy of ``grade``, created from the defaults if an admin removed it."""
    policy = refcache.get(
        "response-policies", lambda: {p.grade: p for p in ResponsePolicy.objects.all()}
    ).get(grade)
    if policy is None:
        arrive, resolve = TARGETS[grade]
        policy = ResponsePolicy(
            grade=grade,
            confirm_minutes=settings.INCIDENT_CONFIRM_MINUTES,
            arrive_minutes=arrive,
            resolve_minutes=resolve,
        )
    return policy


def active_category(slug: str) -> Category | None:
    """The active category with this code (from the reference-data cache)."""
    return refcache.get(
        "active-categories", lambda: {c.slug: c for c in Category.objects.filter(is_active=True)}
    ).get(slug)


def compute_deadlines(grade: str, reported_at: datetime) -> Deadlines:
    """Deadlines count from the time the customer reported, not from when it was logged."""
    policy = policy_for(grade)
    # Add in UTC: adding to a local (zoneinfo) time is wall-clock arithmetic, which makes a
    # 24-hour target 23 or 25 real hours across a DST change.
    reported_at = reported_at.astimezone(UTC)
    return Deadlines(
        confirm=reported_at + timedelta(minutes=policy.confirm_minutes),
        arrive=reported_at + timedelta(minutes=policy.arrive_minutes),
        resolve=reported_at + timedelta(minutes=policy.resolve_minutes),
    )


def next_deadline_for(status: str, confirm, arrive, resolve):
    """The deadline of the milestone an incident in ``status`` is waiting for."""
    if status == Status.REPORTED:
        return confirm
    if status in (Status.CONFIRMED, Status.DISPATCHED):
        return arrive
    if status == Status.ON_SITE:
        return resolve
    return None


def allowed_actions(incident: Incident, user: Actor) -> list[str]:
    """The actions ``user`` may take on ``incident`` in its current status (for the UI)."""
    return [a for a in TRANSITIONS if can(user, a, incident) and incident.status in TRANSITIONS[a]]


# Which statuses each action may start from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "confirm": (Status.REPORTED,),
    "dispatch": (Status.CONFIRMED, Status.DISPATCHED),
    "arrive": (Status.DISPATCHED,),
    "resolve": (Status.CONFIRMED, Status.DISPATCHED, Status.ON_SITE),
    "close": (Status.RESOLVED,),
    "cancel": OPEN_STATUSES,
    "regrade": OPEN_STATUSES,
    "update": (*OPEN_STATUSES, Status.RESOLVED),
}


def check_action(incident: Incident, action: str, actor: Actor) -> None:
    """Refuse ``action`` early: permission (PermissionDenied), then status
    (InvalidTransition), judged on the caller's copy of ``incident``.

    For callers that validate a request body before calling the service (the API, the
    pages' action forms): an action the status does not allow is answered as such (409)
    before the body is looked at. The service checks again against the locked row.
    """
    require(actor, action, incident)
    if incident.status not in TRANSITIONS[action]:
        raise InvalidTransition(action, incident.status)


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


PHONE_CHARS = set("0123456789+-() ")


def normalize_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The report's free-text rules, for every caller: trimmed text, upper-case asset
    references (VINs are case-insensitive), a plausible phone number."""
    for name in ("customer_name", "location", "external_ref", "title"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if isinstance(fields.get("asset_ref"), str):
        fields["asset_ref"] = fields["asset_ref"].strip().upper()
    phone = fields.get("customer_phone")
    if isinstance(phone, str):
        phone = fields["customer_phone"] = phone.strip()
        digits = sum(c.isdigit() for c in phone)
        if phone and (digits < 5 or not set(phone) <= PHONE_CHARS):
            raise ValidationError(
                {"customer_phone": [_("Enter a phone number (digits, +, -, spaces).")]}
            )
    return fields
