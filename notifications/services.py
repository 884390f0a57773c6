"""Notifications: who is told (the outbox, written inside the caller's transaction), how it
is delivered (at least once, with retries), and the in-app inbox.

The outbox row's unique key (incident, step, recipient, channel) is the exactly-once
guarantee: rows are inserted with ON CONFLICT DO NOTHING, so a replay inserts nothing.
Delivery claims a row by bumping its attempt counter and lease with a conditional UPDATE,
sends outside any transaction, and records a ``DeliveryAttempt``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import refcache
from core.db import accelerated
from core.logging import bind_incident
from core.types import Actor
from notifications import channels
from notifications.messages import (
    escalation_params,
    escalation_text,
    event_params,
    event_text,
    incident_url,
)
from notifications.models import (
    Channel,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
    notification_key,
)
from teams.models import DutyShift, Membership, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

# A claimed delivery is retried by the sweep if its worker died before recording an outcome.
LEASE = timedelta(seconds=60)


# --- who --------------------------------------------------------------------------------------


class Directory:
    """The command structure at ``now``, loaded once per batch in a fixed number of queries."""

    def __init__(self, now: datetime):
        self.leader_by_team: dict[int, int] = {}
        self.hq_teams: set[int] = set()
        self.commanders: set[int] = set()
        self.deputies: set[int] = set()
        teams = Team.objects.active().values_list("pk", "kind").order_by("pk")
        self.team_by_kind: dict[str, int] = {}
        for pk, kind in teams:
            self.team_by_kind.setdefault(kind, pk)
            if kind == "hq":
                self.hq_teams.add(pk)
        for team_id, user_id, role in Membership.objects.filter(
            role__in=["leader", "deputy"], user__is_active=True, team__is_active=True
        ).values_list("team_id", "user_id", "role"):
            if role == "leader":
                self.leader_by_team[team_id] = user_id
                if team_id in self.hq_teams:
                    self.commanders.add(user_id)
            elif team_id in self.hq_teams:
                self.deputies.add(user_id)
        self.on_duty: dict[str, set[int]] = {}
        for kind, user_id in DutyShift.objects.on_duty(now).values_list("kind", "user_id"):
            self.on_duty.setdefault(kind, set()).add(user_id)
        self.endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
        self._legal: set[int] | None = None

    @property
    def legal(self) -> set[int]:
        """Active users with the legal role (read only when a step addresses them)."""
        if self._legal is None:
            self._legal = set(
                get_user_model()
                .objects.filter(groups__name="legal", is_active=True)
                .values_list("pk", flat=True)
            )
        return self._legal

    def responsible_team(self, incident) -> int | None:
        if incident.team_id and incident.team_id in self.leader_by_team:
            return incident.team_id
        return self.team_by_kind.get(incident.category.owning_team_kind)

    def resolve(self, audiences: Iterable[str], incident) -> tuple[set[int], set[int]]:
        """(user ids, team ids) an occurrence addresses."""
        users: set[int] = set()
        teams: set[int] = set()
        for audience in audiences:
            if audience == "group_leader":
                team = self.responsible_team(incident)
                if team:
                    teams.add(team)
                    if team in self.leader_by_team:
                        users.add(self.leader_by_team[team])
            elif audience == "dispatcher_on_duty":
                users |= self.on_duty.get("dispatch", set())
            elif audience == "manager_on_duty":
                users |= self.on_duty.get("manager", set())
            elif audience == "assignee" and incident.assignee_id:
                users.add(incident.assignee_id)
            elif audience in ("hq_deputies", "hq_commander", "hq"):
                if audience != "hq_deputies":
                    users |= self.commanders
                if audience != "hq_commander":
                    users |= self.deputies
                teams |= self.hq_teams
            elif audience == "legal":
                users |= self.legal
        return users, teams


def _users(ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .select_related("notification_pref")
    }


def language_of(user: User) -> str:
    pref = getattr(user, "notification_pref", None)
    return pref.language if pref else settings.LANGUAGE_CODE


def _incident_json(incident) -> dict:
    return {
        "id": incident.pk,
        "number": incident.number,
        "title": incident.title,
        "grade": incident.grade,
        "status": incident.status,
        "reported_at": incident.reported_at.isoformat(),
        "confirm_deadline": incident.confirm_deadline.isoformat(),
        "escalation_level": incident.escalation_level,
        "url": incident_url(incident.pk),
    }


# --- what: the outbox, inside the caller's transaction ---------------------------------------


NOTIFICATION_COLUMNS = (
    "incident_id",
    "step",
    "recipient",
    "channel",
    "user_id",
    "endpoint_id",
    "event",
    "level",
    "language",
    "message",
    "params",
    "title",
    "body",
    "url",
    "payload",
    "created_at",
    "status",
    "attempts",
    "next_attempt_at",
    "delivered_at",
    "last_error",
    "read_at",
)


def notify_escalations(steps: list, *, now: datetime) -> int:
    """Outbox rows for fired escalation occurrences: in-app, email and webhooks for each
    person addressed, webhooks of the teams addressed, and integrations subscribed to
    ``escalated``. Call inside the transaction that fired them. Returns rows written
    (a row whose key exists already is skipped)."""
    if not steps:
        return 0
    directory = Directory(now)
    resolved = [directory.resolve(s.audiences, s.incident) for s in steps]
    users = _users(set().union(*(u for u, _t in resolved)))
    rows: list[dict] = []
    for step, (user_ids, team_ids) in zip(steps, resolved, strict=True):
        base = {
            "incident_id": step.incident.pk,
            "step": step.step_key,
            "level": step.level,
            "event": "escalated",
            "created_at": now,
            "url": incident_url(step.incident.pk),
            "message": "escalation.step",
            "params": escalation_params(step),
        }
        extra = {
            "escalation": {
                "target": step.target,
                "step": step.seq,
                "level": step.level,
                "reminder": step.is_reminder,
                "due_at": step.due_at.isoformat(),
                "fired_at": step.fired_at.isoformat(),
                "late_seconds": step.late_seconds,
            }
        }
        messages: dict[str, tuple[str, str]] = {}

        def text(lang, params=base["params"], messages=messages):
            if lang not in messages:
                messages[lang] = escalation_text(params, lang)
            return messages[lang]

        for user_id in sorted(user_ids):
            user = users.get(user_id)
            if user is not None:
                rows.extend(_for_user(user, step.incident, base, text, extra, directory, now))
        for endpoint in directory.endpoints:
            is_team = endpoint.team_id in team_ids
            is_integration = (
                endpoint.team_id is None
                and endpoint.user_id is None
                and "escalated" in (endpoint.events or [])
                and step.target != "report"
            )
            if is_team or is_integration:
                rows.append(_webhook_row(endpoint, step.incident, base, text, extra, now))
    return insert_notifications(rows)


def insert_notifications(rows: list[dict]) -> int:
    """Write outbox rows, skipping any whose key exists; kick delivery after commit."""
    if accelerated():
        from notifications.delivery_pg import insert_ignoring_conflicts

        insert_ignoring_conflicts(
            Notification._meta.db_table,
            NOTIFICATION_COLUMNS,
            [tuple(r.get(c) for c in NOTIFICATION_COLUMNS) for r in rows],
        )
    else:
        Notification.objects.bulk_create([Notification(**r) for r in rows], ignore_conflicts=True)
    if any(r["status"] == DeliveryStatus.PENDING for r in rows):
        transaction.on_commit(kick_delivery)
    return len(rows)


def _row(base: dict, **values) -> dict:
    row = {
        "user_id": None,
        "endpoint_id": None,
        "payload": {},
        "message": "",
        "params": {},
        "attempts": 0,
        "status": DeliveryStatus.PENDING,
        "next_attempt_at": None,
        "delivered_at": None,
        "last_error": "",
        "read_at": None,
        **base,
        **values,
    }
    if row["status"] == DeliveryStatus.PENDING:
        row["next_attempt_at"] = row["created_at"]
    return row


def _for_user(user: User, incident, base, text, extra, directory, now) -> list[dict]:
    return [
        *_personal_rows(user, base, text, now),
        *(
            _webhook_row(endpoint, incident, base, text, extra, now)
            for endpoint in directory.endpoints
            if endpoint.user_id == user.pk
        ),
    ]


def _personal_rows(user: User, base, text, now) -> list[dict]:
    """In-app, and email unless the user turned it off, in the user's language."""
    lang = language_of(user)
    title, body = text(lang)
    out = [
        _row(
            base,
            recipient=f"u{user.pk}",
            channel=Channel.INAPP,
            user_id=user.pk,
            language=lang,
            title=title,
            body=body,
            status=DeliveryStatus.DELIVERED,
            delivered_at=now,
        )
    ]
    pref = getattr(user, "notification_pref", None)
    if user.email and (pref is None or pref.email_enabled):
        out.append(
            _row(
                base,
                recipient=f"u{user.pk}",
                channel=Channel.EMAIL,
                user_id=user.pk,
                language=lang,
                title=title,
                body=body,
            )
        )
    return out


def notify_users(
    user_ids: Iterable[int],
    *,
    event: str,
    step: str,
    text: Callable[[str], tuple[str, str]],
    url: str = "",
    now: datetime | None = None,
    message: str = "",
    params: dict | None = None,
) -> int:
    """Tell the active users among ``user_ids`` about something that concerns no incident
    (a low-stock alert): in-app, and email where they take it. ``step`` names the occasion,
    so a repeated call writes nothing twice; ``text(language)`` gives ``(title, body)``.
    With ``message`` (an id in ``notifications.messages.RENDERERS``) and ``params`` the text
    is rendered again in the reader's language when shown. Returns rows written."""
    now = now or timezone.now()
    base = {
        "incident_id": None,
        "step": step,
        "level": 0,
        "event": event,
        "created_at": now,
        "url": url,
        "message": message,
        "params": params or {},
    }
    users = _users(set(user_ids)).values()
    return insert_notifications(
        [row for user in users for row in _personal_rows(user, base, text, now)]
    )


def _webhook_row(endpoint, incident, base, text, extra, now) -> dict:
    title, body = text(endpoint.language)
    row = _row(
        base,
        recipient=f"e{endpoint.pk}",
        channel=Channel.WEBHOOK,
        endpoint_id=endpoint.pk,
        user_id=endpoint.user_id,
        language=endpoint.language,
        title=title,
        body=body,
    )
    row["payload"] = {
        "id": notification_key(row),
        "event": f"incident.{base['event']}",
        "occurred_at": now.isoformat(),
        "incident": _incident_json(incident),
        "message": {"title": title, "body": body, "language": endpoint.language},
        **extra,
    }
    return row


def integration_endpoints() -> list[WebhookEndpoint]:
    """Active webhooks of integrations (no team or user), from the reference-data cache."""
    return refcache.get(
        "integration-endpoints",
        lambda: list(
            WebhookEndpoint.objects.filter(is_active=True, team__isnull=True, user__isnull=True)
        ),
    )


def subscribers(event: str) -> list:
    """Active integration endpoints subscribed to ``event`` (cached reference data)."""
    return [e for e in integration_endpoints() if event in (e.events or [])]


def notify_integration_event(
    incident, event: str, *, step: str, now: datetime, extra: dict | None = None
) -> int:
    """Outbox rows for integrations subscribed to ``event`` (created, changed, escalated,
    resolved, message_delivered, message_failed). Call inside the transaction that made the
    change. ``extra`` goes into the payload beside the incident."""
    endpoints = subscribers(event)
    if not endpoints:
        return 0
    base = {
        "incident_id": incident.pk,
        "step": step,
        "event": event,
        "created_at": now,
        "url": incident_url(incident.pk),
        "level": incident.escalation_level,
        "message": "incident.event",
        "params": event_params(incident, event),
    }
    return insert_notifications(
        [
            _webhook_row(
                e, incident, base, lambda lang: event_text(base["params"], lang), extra or {}, now
            )
            for e in endpoints
        ]
    )


def kick_delivery() -> None:
    """Ask a worker to deliver now; kicks collapse to one waiting (notifications.tasks)."""
    from notifications.tasks import kick

    kick()


# --- delivery ----------------------------------------------------------------------------------


def backoff(attempt: int) -> timedelta:
    """Wait before retry ``attempt`` + 1: exponential from the base, capped."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1)
    return timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_CAP_SECONDS))


def claim_due(*, now: datetime | None = None, limit: int = 200) -> list[tuple[int, int]]:
    """Claim pending deliveries whose time has come: (id, attempt) pairs. The claim bumps the
    attempt number and leases the row, so a second sweep does not take it again."""
    now = now or timezone.now()
    if accelerated():
        from notifications import delivery_pg

        return delivery_pg.claim_due(
            Notification._meta.db_table, now=now, lease_until=now + LEASE, limit=limit
        )
    ids = list(
        Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    claimed = []
    for pk in ids:
        attempt = _claim(pk, now)
        if attempt:
            claimed.append((pk, attempt))
    return claimed


def _claim(pk: int, now: datetime) -> int:
    updated = Notification.objects.filter(
        pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not updated:
        return 0
    return Notification.objects.filter(pk=pk).values_list("attempts", flat=True).first() or 0


def deliver(pk: int, attempt: int, *, now: datetime | None = None) -> bool | None:
    """Send claimed notification ``pk`` (attempt number ``attempt``) and record the outcome.
    Returns True (delivered), False (failed, retry scheduled or given up) or None (the claim
    is stale: another attempt owns it)."""
    notification = (
        Notification.objects.select_related("endpoint", "user")
        .filter(pk=pk, status=DeliveryStatus.PENDING, attempts=attempt)
        .first()
    )
    if notification is None:
        return None
    # This delivery's log lines (and its failure's, logged by the caller) name the incident.
    bind_incident(notification.params.get("number") or "")
    started = timezone.now()
    clock = time.monotonic()
    try:
        status_code = channels.send(notification)
        ok, error = True, ""
    except channels.DeliveryError as exc:
        ok, error, status_code = False, str(exc)[:2000], exc.status_code
    now = now or timezone.now()
    DeliveryAttempt.objects.create(
        notification=notification,
        number=attempt,
        started_at=started,
        ok=ok,
        duration_ms=int((time.monotonic() - clock) * 1000),
        status_code=status_code,
        error=error,
    )
    current = Notification.objects.filter(pk=pk, status=DeliveryStatus.PENDING, attempts=attempt)
    if ok:
        current.update(
            status=DeliveryStatus.DELIVERED, delivered_at=now, last_error="", next_attempt_at=None
        )
    elif attempt >= settings.NOTIFY_MAX_ATTEMPTS:
        current.update(status=DeliveryStatus.FAILED, last_error=error, next_attempt_at=None)
    else:
        current.update(last_error=error, next_attempt_at=now + backoff(attempt))
    return ok


BATCH = 48  # with THREADS and the webhook timeout, a batch finishes well within LEASE
THREADS = 8


DELIVERY_LOCK = 0x6E6F7469  # advisory lock key: one delivery loop at a time


def deliver_batches(*, budget_seconds: float = 5.0) -> int:
    """Claim and deliver batches on THREADS threads until nothing is due or the time budget
    is spent (the next beat tick or kick continues). Only one loop runs at a time (a
    PostgreSQL advisory lock; others return at once), so deliveries never occupy every
    worker process and the escalation sweep always finds one free. Returns deliveries
    tried."""
    with _exclusive(DELIVERY_LOCK) as mine:
        return _deliver_loop(budget_seconds) if mine else 0


@contextmanager
def _exclusive(key: int):
    if not accelerated():  # SQLite has one writer at a time anyway
        yield True
        return
    from notifications import delivery_pg

    with delivery_pg.exclusive(key) as mine:
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


def _deliver_in_thread(pk: int, attempt: int) -> None:
    from django.db import connection as thread_connection

    try:
        deliver(pk, attempt)
    except Exception:
        log.exception("delivery of notification %s failed", pk)
    finally:
        thread_connection.close()


def deliver_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Claim and deliver what is due, in this process (the management path and tests)."""
    claimed = claim_due(now=now, limit=limit)
    for pk, attempt in claimed:
        deliver(pk, attempt, now=now)
    return len(claimed)


# --- inbox -------------------------------------------------------------------------------------


def unread_count(user: Actor) -> int:
    return Notification.objects.filter(
        user=user, channel=Channel.INAPP, read_at__isnull=True
    ).count()


def mark_read(
    user: Actor,
    *,
    ids: Iterable[int] | None = None,
    incidents: Iterable[int] | None = None,
    now: datetime | None = None,
) -> int:
    """Mark the user's in-app notifications read: all, or those ``ids``, or all of those
    ``incidents`` (an inbox group)."""
    now = now or timezone.now()
    qs = Notification.objects.filter(user=user, channel=Channel.INAPP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if incidents is not None:
        qs = qs.filter(incident_id__in=list(incidents))
    return qs.update(read_at=now)


GROUP_SHOWN = 20  # notifications listed when a group is opened


def inbox_groups(user: User):
    """The user's in-app notifications, one row per incident (those about no incident
    each stand alone): count, unread, latest time; newest first. A queryset of dicts."""
    from django.db.models import BigIntegerField, Case, Count, F, Max, Q, When
    from django.db.models.functions import Coalesce

    # django-stubs refuses an annotation named like a model field (incident_id below),
    # which Django allows once .values() has grouped the rows.
    return (
        Notification.objects.filter(user=user, channel=Channel.INAPP)  # type: ignore[no-redef]
        .annotate(
            group=Case(
                When(incident__isnull=False, then=-F("incident_id")),
                default=F("id"),
                output_field=BigIntegerField(),
            )
        )
        .values("group")
        .annotate(
            incident_id=Max("incident_id"),
            count=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True)),
            latest=Max("created_at"),
            latest_id=Coalesce(Max("id"), 0),
        )
        .order_by("-latest", "-latest_id")
    )


def fill_groups(user: Actor, groups: list[dict]) -> list[dict]:
    """Each inbox group with its notifications (newest first, at most GROUP_SHOWN) and its
    incident (2 queries)."""
    from django.db.models import Q

    from incidents.models import Incident

    incident_ids = [g["incident_id"] for g in groups if g["incident_id"]]
    loose = [g["group"] for g in groups if not g["incident_id"]]
    rows = (
        Notification.objects.filter(user=user, channel=Channel.INAPP)
        .filter(Q(incident_id__in=incident_ids) | Q(pk__in=loose))
        .order_by("-created_at", "-id")
    )
    by_group: dict[int, list] = {}
    for n in rows:
        key = -n.incident_id if n.incident_id else n.pk
        items = by_group.setdefault(key, [])
        if len(items) < GROUP_SHOWN:
            items.append(n)
    incidents = Incident.objects.only("number", "title", "grade").in_bulk(incident_ids)
    for g in groups:
        g["items"] = by_group.get(g["group"], [])
        g["latest_item"] = g["items"][0] if g["items"] else None
        g["incident"] = incidents.get(g["incident_id"])
    return groups


def set_preferences(user: Actor, *, language: str, email_enabled: bool) -> NotificationPreference:
    from django.core.exceptions import ValidationError

    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": ["Unknown language."]})
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"language": language, "email_enabled": email_enabled}
    )
    return pref
