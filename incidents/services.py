"""Every state change of an incident: the incidents app's public API.

Views, the REST API, admin actions, tasks and management commands call these functions and
nothing else to change an incident. Each runs in one transaction, moves the status with a
conditional UPDATE (``WHERE status IN (...)``) so that two racing callers cannot both pass
the same transition, writes its timeline event in the same transaction, and starts side
effects with ``transaction.on_commit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from incidents.exceptions import DirectiveClosed, InvalidTransition
from incidents.models import (
    OPEN_STATUSES,
    Category,
    Directive,
    DirectiveNote,
    DirectiveStatus,
    EventKind,
    Grade,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    ResponsePolicy,
    Status,
)
from incidents.seed import TARGETS
from incidents.signals import incident_event
from teams.models import RESPONSE_GROUP_KINDS, Team, TeamKind

# How far in the future a client clock may put ``reported_at`` before we refuse it.
CLOCK_SKEW = timedelta(minutes=5)

# Extension points for other apps, registered in their AppConfig.ready():
# close_guards: callables(incident) -> None that raise ValidationError to refuse a close.
# transition_hooks[action]: callables(incident, actor=, now=) run inside the transition's
# transaction after its event, so their writes commit or roll back with it.
close_guards: list = []
transition_hooks: dict[str, list] = {}


EDITABLE_FIELDS = (
    "title", "description", "category", "channel", "service_mode", "customer_name",
    "customer_phone", "asset_ref", "location", "latitude", "longitude", "impact_scope",
    "initial_handling", "external_ref",
)


@dataclass(frozen=True)
class Deadlines:
    confirm: datetime
    arrive: datetime
    resolve: datetime


# --- reads used by the services and their callers --------------------------------------


def policy_for(grade: str) -> ResponsePolicy:
    """The response policy of ``grade``, created from the defaults if an admin removed it."""
    policy = ResponsePolicy.objects.filter(grade=grade).first()
    if policy is None:
        arrive, resolve = TARGETS[grade]
        policy = ResponsePolicy(
            grade=grade,
            confirm_minutes=settings.INCIDENT_CONFIRM_MINUTES,
            arrive_minutes=arrive,
            resolve_minutes=resolve,
        )
    return policy


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


def allowed_actions(incident: Incident, user) -> list[str]:
    """The actions ``user`` may take on ``incident`` in its current status (for the UI)."""
    return [a for a in TRANSITIONS if _can(user, a, incident) and incident.status in TRANSITIONS[a]]


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

ACTION_PERMS = {
    "confirm": "incidents.confirm_incident",
    "dispatch": "incidents.dispatch_incident",
    "close": "incidents.close_incident",
    "cancel": "incidents.close_incident",
    "regrade": "incidents.regrade_incident",
    "update": "incidents.change_incident",
}


def _is_on_job(user, incident: Incident) -> bool:
    if incident.assignee_id == user.pk:
        return True
    return bool(incident.team_id and user.memberships.filter(team_id=incident.team_id).exists())


def _can(user, action: str, incident: Incident) -> bool:
    if user is None:  # the system (tasks, commands)
        return True
    if not user.is_active:
        return False
    if action in ("arrive", "resolve"):
        return user.has_perm("incidents.work_incident") or _is_on_job(user, incident)
    if action == "note":
        return Incident.objects.visible_to(user).filter(pk=incident.pk).exists()
    return user.has_perm(ACTION_PERMS[action])


def _require(user, action: str, incident: Incident) -> None:
    if not _can(user, action, incident):
        raise PermissionDenied(_("You are not allowed to do this."))


# --- writes ---------------------------------------------------------------------------


def _record(
    incident: Incident, kind: str, *, actor=None, now: datetime, data: dict | None = None,
    text: str = "",
) -> IncidentEvent:
    event = IncidentEvent(
        incident=incident, kind=kind, actor=actor, created_at=now, data=data or {}, text=text
    )
    event.save(force_insert=True)
    _announce(incident, event)
    return event


def _announce(incident: Incident, event: IncidentEvent) -> None:
    """Send ``incident_event`` once the transaction that wrote ``event`` commits."""
    transaction.on_commit(
        lambda: incident_event.send(
            sender=Incident, incident_id=incident.pk, event_id=event.pk, kind=event.kind
        )
    )


def record_event(
    incident: Incident, kind: str, *, actor=None, now: datetime | None = None,
    data: dict | None = None, text: str = "",
) -> IncidentEvent:
    """Append an event to ``incident``'s timeline, for other apps' services (parts moves,
    escalations, notifications). Call it inside the caller's transaction."""
    return _record(incident, kind, actor=actor, now=now or timezone.now(), data=data, text=text)


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


def report_incident(
    *,
    actor,
    title: str,
    category: Category,
    grade: str,
    reported_at: datetime | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> Incident:
    """Log a customer's fault report.

    Preconditions: ``actor`` may report (None for the system). ``reported_at`` may be in the
    past (a late log keeps the customer's time and its deadlines count from then) but not
    in the future. Side effects: the ``reported`` event, the directives the grade calls
    for, and after commit the ``incident_event`` signal. No broker is needed: the report is
    stored whatever happens to Celery.
    """
    now = now or timezone.now()
    if actor is not None and not actor.has_perm("incidents.report_incident"):
        raise PermissionDenied(_("You are not allowed to log reports."))
    reported_at = reported_at or now
    if reported_at > now + CLOCK_SKEW:
        raise ValidationError({"reported_at": [_("The report time cannot be in the future.")]})
    if grade not in Grade.values:
        raise ValidationError({"grade": [_("Choose Level I, II or III.")]})
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"team", "assignee"}
    if unknown:
        raise TypeError(f"report_incident() got unexpected fields {sorted(unknown)}")
    title = _require_text(title, "title", _("Give the report a short title."))
    normalize_fields(fields)
    deadlines = compute_deadlines(grade, reported_at)
    incident = Incident(
        title=title, category=category, grade=grade, reported_at=reported_at,
        reporter=actor, status=Status.REPORTED,
        confirm_deadline=deadlines.confirm, arrive_deadline=deadlines.arrive,
        resolve_deadline=deadlines.resolve, next_deadline=deadlines.confirm,
        **fields,
    )
    # Field validators and choices only; full_clean() would also run a SELECT per database
    # constraint, which the INSERT enforces anyway.
    incident.clean_fields(exclude=["number", "reporter", "assignee", "team", "category"])
    with transaction.atomic():
        incident.save(force_insert=True)
        incident.number = make_number(incident)
        Incident.objects.filter(pk=incident.pk).update(number=incident.number)
        _record(
            incident, EventKind.REPORTED, actor=actor, now=now,
            data={"grade": grade, "channel": incident.channel,
                  "reported_at": reported_at.isoformat()},
        )
        issue_directives(incident, actor=actor, now=now, new=True)
        for hook in transition_hooks.get("report", []):
            hook(incident, actor=actor, now=now)
    return incident


def make_number(incident: Incident) -> str:
    """A human reference, unique because it embeds the primary key: AS-20261123-000042."""
    local_day = timezone.localtime(incident.reported_at).strftime("%Y%m%d")
    return f"{settings.INCIDENT_NUMBER_PREFIX}-{local_day}-{incident.pk:06d}"


ACTIVE_DIRECTIVE = (DirectiveStatus.OPEN, DirectiveStatus.ACKNOWLEDGED, DirectiveStatus.IN_PROGRESS)

DIRECTIVE_TARGET = {  # which deadline a group's directive is due at
    TeamKind.HQ: "confirm",
    TeamKind.CUSTOMER_SERVICE: "confirm",
    TeamKind.TECH_SUPPORT: "arrive",
    TeamKind.LOGISTICS: "arrive",
    TeamKind.LEGAL: "resolve",
}


def _instruction(kind: str, incident: Incident) -> str:
    texts = {
        TeamKind.HQ: _("Take command of %(n)s: set the response, assign the groups, report up."),
        TeamKind.TECH_SUPPORT: _("Diagnose and repair %(n)s; send a technician or remote help."),
        TeamKind.CUSTOMER_SERVICE: _("Keep the customer of %(n)s informed; log every contact."),
        TeamKind.LOGISTICS: _("Get parts, tools and transport ready for %(n)s."),
        TeamKind.LEGAL: _("Assess the legal exposure of %(n)s and advise HQ."),
        TeamKind.SERVICE_CENTRE: _("Handle %(n)s and report progress to HQ."),
        TeamKind.PARTNER: _("Handle %(n)s and report progress to HQ."),
    }
    return texts[kind] % {"n": incident.number}


def directive_text(directive: Directive) -> str:
    """The directive's instruction in the reader's language when it is the standard one
    issued automatically (stored in LANGUAGE_CODE); an instruction HQ wrote stays as is."""
    kind = directive.team.kind
    with override(settings.LANGUAGE_CODE):
        standard = _instruction(kind, directive.incident)
    if directive.instruction == standard:
        return _instruction(kind, directive.incident)
    return directive.instruction


def directive_kinds_for(incident: Incident) -> list[str]:
    """Level I: HQ and every response group. Level II: the groups the category concerns.
    Level III: the category's owning group only."""
    if incident.grade == Grade.I:
        return [TeamKind.HQ, *RESPONSE_GROUP_KINDS]
    if incident.grade == Grade.II:
        kinds = list(incident.category.concerned_team_kinds or [])
        return kinds or [incident.category.owning_team_kind]
    return [incident.category.owning_team_kind]


def issue_directives(
    incident: Incident, *, actor, now: datetime, new: bool = False
) -> list[Directive]:
    """Create the directives ``incident``'s grade calls for that do not exist yet.

    ``new``: the incident was created in this transaction, so it has none yet. Directives
    and their timeline events are written with one INSERT each.
    """
    kinds = directive_kinds_for(incident)
    teams = {t.kind: t for t in Team.objects.active().filter(kind__in=kinds).order_by("-pk")}
    existing = set() if new else set(incident.directives.values_list("team_id", flat=True))
    directives = []
    with override(settings.LANGUAGE_CODE):
        for kind in kinds:
            team = teams.get(kind)
            if team is None or team.pk in existing:
                continue
            due = getattr(incident, f"{DIRECTIVE_TARGET.get(kind, 'resolve')}_deadline")
            directives.append(Directive(
                incident=incident, team=team, instruction=_instruction(kind, incident),
                due_at=due, created_at=now, created_by=actor,
            ))
    if not directives:
        return []
    Directive.objects.bulk_create(directives)
    events = [
        IncidentEvent(
            incident=incident, kind=EventKind.DIRECTIVE, actor=actor, created_at=now,
            data={"directive": d.pk, "team": d.team.pk, "team_name": d.team.name},
            text=d.instruction,
        )
        for d in directives
    ]
    IncidentEvent.objects.bulk_create(events)
    for event in events:
        _announce(incident, event)
    return directives


def _transition(
    incident: Incident,
    action: str,
    *,
    actor,
    now: datetime,
    to_status: str,
    fields: dict[str, Any],
    event_kind: str,
    data: dict | None = None,
    text: str = "",
) -> Incident:
    """Move ``incident`` to ``to_status`` if its status allows ``action``; else raise.

    Locks the row (SELECT … FOR UPDATE), then checks permission and status against the
    stored row, not the caller's copy: a job re-dispatched a moment ago is judged by its
    new assignee. Of two racing callers the second waits for the lock, sees the new status
    and gets InvalidTransition. The UPDATE stays conditional on the status as a second
    guard for callers that bypass the lock (raw SQL, other processes on SQLite).
    """
    allowed = TRANSITIONS[action]
    with transaction.atomic():
        current = Incident.objects.select_for_update().filter(pk=incident.pk).first()
        if current is None:
            raise InvalidTransition(action, incident.status)
        _require(actor, action, current)
        if current.status not in allowed:
            incident.status = current.status
            raise InvalidTransition(action, current.status)
        next_deadline = next_deadline_for(
            to_status, current.confirm_deadline, current.arrive_deadline,
            current.resolve_deadline,
        )
        updated = Incident.objects.filter(pk=incident.pk, status__in=allowed).update(
            status=to_status, next_deadline=next_deadline, updated_at=now, **fields
        )
        if not updated:
            raise InvalidTransition(action, current.status)
        incident.refresh_from_db()
        _record(incident, event_kind, actor=actor, now=now, data=data, text=text)
        for hook in transition_hooks.get(action, []):
            hook(incident, actor=actor, now=now)
    return incident


def confirm_incident(incident: Incident, *, actor, note: str = "", now=None) -> Incident:
    """reported → confirmed: the work content is determined. Ends the confirm clock."""
    now = now or timezone.now()
    late = max(0, int((now - incident.confirm_deadline).total_seconds()))
    return _transition(
        incident, "confirm", actor=actor, now=now, to_status=Status.CONFIRMED,
        fields={"confirmed_at": now}, event_kind=EventKind.CONFIRMED,
        data={"late_seconds": late}, text=(note or "").strip(),
    )


def dispatch_incident(
    incident: Incident, *, actor, assignee=None, team: Team | None = None, note: str = "",
    now=None,
) -> Incident:
    """confirmed/dispatched → dispatched to a technician and/or a team (re-dispatch allowed)."""
    now = now or timezone.now()
    _require(actor, "dispatch", incident)
    if assignee is None and team is None:
        raise ValidationError({"assignee": [_("Choose a technician or a team.")]})
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": [_("This user is not active.")]})
    if team is None and assignee is not None:
        membership = assignee.memberships.select_related("team").order_by("pk").first()
        team = membership.team if membership else None
    fields = {"assignee": assignee, "team": team}
    if incident.dispatched_at is None:
        fields["dispatched_at"] = now
    data = {
        "assignee": assignee.pk if assignee else None,
        "assignee_name": (assignee.get_full_name() or assignee.username) if assignee else "",
        "team": team.pk if team else None,
        "team_name": team.name if team else "",
    }
    return _transition(
        incident, "dispatch", actor=actor, now=now, to_status=Status.DISPATCHED, fields=fields,
        event_kind=EventKind.DISPATCHED, data=data, text=(note or "").strip(),
    )


def arrive_incident(incident: Incident, *, actor, note: str = "", now=None) -> Incident:
    """dispatched → on_site. The assignee, their team, or a role that works any job."""
    now = now or timezone.now()
    return _transition(
        incident, "arrive", actor=actor, now=now, to_status=Status.ON_SITE,
        fields={"arrived_at": now}, event_kind=EventKind.ARRIVED, text=(note or "").strip(),
    )


def resolve_incident(incident: Incident, *, actor, resolution: str, now=None) -> Incident:
    """confirmed/dispatched/on_site → resolved. ``resolution`` is required."""
    now = now or timezone.now()
    resolution = _require_text(resolution, "resolution", _("Describe how it was resolved."))
    return _transition(
        incident, "resolve", actor=actor, now=now, to_status=Status.RESOLVED,
        fields={"resolved_at": now, "resolution": resolution},
        event_kind=EventKind.RESOLVED, text=resolution,
    )




def close_incident(incident: Incident, *, actor, note: str = "", now=None) -> Incident:
    """resolved → closed. Other apps may add guards (e.g. an assessment is required).

    Closing ends the case: directives still open are marked done with it.
    """
    now = now or timezone.now()
    for guard in close_guards:
        guard(incident)
    with transaction.atomic():
        incident = _transition(
            incident, "close", actor=actor, now=now, to_status=Status.CLOSED,
            fields={"closed_at": now}, event_kind=EventKind.CLOSED, text=(note or "").strip(),
        )
        Directive.objects.filter(incident=incident, status__in=ACTIVE_DIRECTIVE).update(
            status=DirectiveStatus.DONE, completed_at=now
        )
    return incident


def cancel_incident(incident: Incident, *, actor, reason: str, now=None) -> Incident:
    """Any open status → cancelled. ``reason`` is required. Ends every deadline clock."""
    now = now or timezone.now()
    reason = _require_text(reason, "reason", _("Say why the incident is cancelled."))
    with transaction.atomic():
        incident = _transition(
            incident, "cancel", actor=actor, now=now, to_status=Status.CANCELLED,
            fields={"cancelled_at": now, "cancel_reason": reason},
            event_kind=EventKind.CANCELLED, text=reason,
        )
        Directive.objects.filter(incident=incident, status__in=ACTIVE_DIRECTIVE).update(
            status=DirectiveStatus.CANCELLED
        )
    return incident


def regrade_incident(
    incident: Incident, *, actor, grade: str, reason: str = "", now=None
) -> Incident:
    """Change the grade of an open incident and recompute its deadlines from ``reported_at``.

    Milestones already reached keep their times; the open deadline moves. Directives the new
    grade calls for are issued (an upgrade to Level I alerts every group).
    """
    now = now or timezone.now()
    if grade not in Grade.values:
        raise ValidationError({"grade": [_("Choose Level I, II or III.")]})
    _require(actor, "regrade", incident)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status not in TRANSITIONS["regrade"]:
            raise InvalidTransition("regrade", locked.status)
        if locked.grade == grade:
            return locked
        old = locked.grade
        d = compute_deadlines(grade, locked.reported_at)
        locked.grade = grade
        locked.confirm_deadline, locked.arrive_deadline, locked.resolve_deadline = (
            d.confirm, d.arrive, d.resolve,
        )
        locked.next_deadline = next_deadline_for(locked.status, d.confirm, d.arrive, d.resolve)
        locked.updated_at = now
        locked.save(update_fields=[
            "grade", "confirm_deadline", "arrive_deadline", "resolve_deadline",
            "next_deadline", "updated_at",
        ])
        _record(locked, EventKind.REGRADED, actor=actor, now=now,
                data={"from": old, "to": grade}, text=(reason or "").strip())
        issue_directives(locked, actor=actor, now=now)
        for hook in transition_hooks.get("regrade", []):
            hook(locked, actor=actor, now=now)
    return locked


def update_incident(incident: Incident, *, actor, now=None, **changes: Any) -> Incident:
    """Edit the report's facts (not its status, grade or deadlines). Records what changed."""
    now = now or timezone.now()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_incident() got unexpected fields {sorted(unknown)}")
    _require(actor, "update", incident)
    normalize_fields(changes)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status not in TRANSITIONS["update"]:
            raise InvalidTransition("update", locked.status)
        changed = {}
        for name, value in changes.items():
            old = getattr(locked, name)
            if old != value:
                setattr(locked, name, value)
                changed[name] = [_jsonable(old), _jsonable(value)]
        if not changed:
            return locked
        if "title" in changed:
            _require_text(locked.title, "title", _("Give the report a short title."))
        locked.clean_fields(exclude=["number", "reporter", "assignee", "team", "category"])
        locked.updated_at = now
        locked.save(update_fields=[*changed, "updated_at"])
        _record(locked, EventKind.UPDATED, actor=actor, now=now,
                data={"changed": {k: v for k, v in changed.items() if k != "customer_phone"}})
    return locked


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def add_note(incident: Incident, *, actor, text: str, now=None) -> IncidentEvent:
    """Append a note to the timeline. Anyone who can see the incident may."""
    now = now or timezone.now()
    text = _require_text(text, "text", _("Write the note first."))
    if actor is not None and not _can(actor, "note", incident):
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        return _record(incident, EventKind.NOTE, actor=actor, now=now, text=text)


def add_photo(incident: Incident, *, actor, image, caption: str = "", now=None) -> IncidentPhoto:
    """Attach a photo (from the technician's camera) and note it on the timeline."""
    now = now or timezone.now()
    if not _can(actor, "note", incident):
        raise PermissionDenied(_("You are not allowed to do this."))
    if image.size > settings.MAX_PHOTO_BYTES:
        raise ValidationError({"image": [_("The photo is too large.")]})
    with transaction.atomic():
        photo = IncidentPhoto.objects.create(
            incident=incident, image=image, caption=(caption or "").strip()[:200],
            uploaded_by=actor, uploaded_at=now,
        )
        _record(incident, EventKind.PHOTO, actor=actor, now=now,
                data={"photo": photo.pk}, text=photo.caption)
    return photo


def report_directive_progress(
    directive: Directive, *, actor, text: str = "", status: str | None = None, now=None
) -> Directive:
    """A group reports progress on its directive, optionally moving its status."""
    now = now or timezone.now()
    if status is not None and status not in DirectiveStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    text = (text or "").strip()
    if not text and status is None:
        raise ValidationError({"text": [_("Write the progress first.")]})
    is_member = actor.memberships.filter(team_id=directive.team_id).exists()
    if not (is_member or actor.has_perm("incidents.dispatch_incident")):
        raise PermissionDenied(_("Only the group or HQ can report on this directive."))
    with transaction.atomic():
        locked = Directive.objects.select_for_update().get(pk=directive.pk)
        if locked.status in (DirectiveStatus.DONE, DirectiveStatus.CANCELLED):
            raise DirectiveClosed(locked.get_status_display())
        if status and status != locked.status:
            locked.status = status
            locked.completed_at = now if status == DirectiveStatus.DONE else None
            locked.save(update_fields=["status", "completed_at"])
        if text:
            DirectiveNote.objects.create(directive=locked, author=actor, text=text, created_at=now)
        _record(locked.incident, EventKind.DIRECTIVE_UPDATED, actor=actor, now=now,
                data={"directive": locked.pk, "team_name": locked.team.name,
                      "status": locked.status}, text=text)
    return locked
