"""The incident state machine: report, confirm, dispatch, arrive, resolve, close, cancel,
regrade, edit, notes and photos."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import accelerated
from core.roles import TECHNICIAN
from core.types import Actor
from customers.models import Customer
from customers.services import for_report
from incidents import timeline
from incidents.access import require as _require
from incidents.exceptions import InvalidTransition
from incidents.models import (
    Category,
    Directive,
    DirectiveStatus,
    Grade,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    Status,
)
from incidents.services.directives import (
    ACTIVE_DIRECTIVE,
    issue_directives,
    new_directives,
    word_directives,
)
from incidents.services.hooks import close_guards, run_hooks
from incidents.services.rules import (
    CLOCK_SKEW,
    EDITABLE_FIELDS,
    TRANSITIONS,
    _require_text,
    compute_deadlines,
    next_deadline_for,
    normalize_fields,
)
from teams.models import Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def report_incident(
    *,
    actor: Actor,
    title: str,
    category: Category,
    grade: str,
    reported_at: datetime | None = None,
    now: datetime | None = None,
    customer: Customer | None = None,
    **fields: Any,
) -> Incident:
    """Log a customer's fault report.

    Preconditions: ``actor`` may report (None for the system). ``reported_at`` may be in the
    past (a late log keeps the customer's time and its deadlines count from then) but not
    in the future. Effects, in order, in one transaction: the customer record (picked, found
    by phone or created), the incident with its number, the
    directives its grade calls for, the ``reported`` and ``directive`` events, then
    INCIDENT_LIFECYCLE["report"] (the confirm clock, HQ's alert for Level I, a replacement
    unit, the integrations' outbox rows). No broker is needed: the report is stored
    whatever happens to Celery.
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
        title=title,
        category=category,
        grade=grade,
        reported_at=reported_at,
        reporter=actor,
        status=Status.REPORTED,
        confirm_deadline=deadlines.confirm,
        arrive_deadline=deadlines.arrive,
        resolve_deadline=deadlines.resolve,
        next_deadline=deadlines.confirm,
        **fields,
    )
    # Field validators and choices only; full_clean() would also run a SELECT per database
    # constraint, which the INSERT enforces anyway.
    incident.clean_fields(exclude=["number", "reporter", "assignee", "team", "category"])
    with transaction.atomic():
        # The customer record: the one picked at intake, or found by the phone's blind
        # index (one indexed read), or created (customers.services.for_report).
        incident.customer = for_report(
            name=incident.customer_name, phone=incident.customer_phone, customer=customer
        )
        directives = _insert_report(incident, actor=actor, now=now)
        timeline.write(
            [
                timeline.reported(incident, actor=actor, at=now),
                *(timeline.directive_issued(incident, d, actor=actor, at=now) for d in directives),
            ]
        )
        # settings.INCIDENT_LIFECYCLE["report"]: the confirm clock, HQ's alert for Level I,
        # a replacement unit's reservation, the integrations' outbox rows.
        run_hooks("report", incident, actor=actor, now=now)
    return incident


def _insert_report(incident: Incident, *, actor: Actor, now: datetime) -> list[Directive]:
    """Write the new incident with its number and the directives its grade calls for.

    The number embeds the id: the portable way inserts the incident, then sets it. The
    PostgreSQL accelerator (incidents/accel_pg.py) takes the ids from the sequences first
    and writes the incident and its directives in one statement, never the row twice.
    """
    directives = new_directives(incident, actor=actor, now=now)
    if accelerated():
        from incidents import accel_pg

        accel_pg.insert_report(incident, directives, number=make_number, words=word_directives)
        return directives
    incident.save(force_insert=True)
    incident.number = make_number(incident)
    Incident.objects.filter(pk=incident.pk).update(number=incident.number)
    word_directives(incident, directives)  # their instructions name the number
    Directive.objects.bulk_create(directives)
    return directives


def make_number(incident: Incident) -> str:
    """A human reference, unique because it embeds the primary key: AS-20261123-000042."""
    day = timezone.localtime(incident.reported_at)
    return f"{settings.INCIDENT_NUMBER_PREFIX}-{day:%Y%m%d}-{incident.pk:06d}"


def _transition(
    incident: Incident,
    action: str,
    *,
    actor: Actor,
    now: datetime,
    to_status: str,
    fields: dict[str, Any],
    event: Callable[[Incident], IncidentEvent],
    checks: Callable[[Incident], object] | None = None,
) -> Incident:
    """Move ``incident`` to ``to_status`` if its status allows ``action``; else raise.

    In one transaction: lock the row, check, write the status change, the timeline
    ``event`` (built from the updated row), then ``action``'s hooks of
    settings.INCIDENT_LIFECYCLE, in their order.

    Locks the row (SELECT … FOR UPDATE), then checks permission and status against the
    stored row, not the caller's copy: a job re-dispatched a moment ago is judged by its
    new assignee. Of two racing callers the second waits for the lock, sees the new status
    and gets InvalidTransition. The UPDATE stays conditional on the status as a second
    guard for callers that bypass the lock (raw SQL, other processes on SQLite).

    Order of checks, the same for every action: permission (PermissionDenied), status
    (InvalidTransition, 409 in the API), then ``checks(locked row)``: the action's own input
    rules and guards (ValidationError, 400). An action the status does not allow is refused
    as such, whatever else is wrong with the request.
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
        if checks is not None:
            checks(current)
        next_deadline = next_deadline_for(
            to_status,
            current.confirm_deadline,
            current.arrive_deadline,
            current.resolve_deadline,
        )
        changes = {"status": to_status, "next_deadline": next_deadline, "updated_at": now, **fields}
        updated = Incident.objects.filter(pk=incident.pk, status__in=allowed).update(**changes)
        if not updated:
            raise InvalidTransition(action, current.status)
        # The locked row plus the changes just written is the stored row: bring the caller's
        # copy up to date from it instead of reading the row a second time.
        for name, value in changes.items():
            setattr(current, name, value)
        for field in Incident._meta.concrete_fields:
            setattr(incident, field.attname, getattr(current, field.attname))
        timeline.write([event(incident)])
        run_hooks(action, incident, actor=actor, now=now)
    return incident


def confirm_incident(incident: Incident, *, actor: Actor, note: str = "", now=None) -> Incident:
    """reported → confirmed: the work content is determined.

    Effects, in order, in one transaction: the status and ``confirmed_at``; the
    ``confirmed`` event (how late); INCIDENT_LIFECYCLE["confirm"]: a replacement unit is
    reserved, the confirm clock ends and the arrive clock starts, the integrations hear.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    return _transition(
        incident,
        "confirm",
        actor=actor,
        now=now,
        to_status=Status.CONFIRMED,
        fields={"confirmed_at": now},
        event=lambda i: timeline.confirmed(i, actor=actor, at=now, note=note),
    )


def dispatch_incident(
    incident: Incident,
    *,
    actor: Actor,
    assignee=None,
    team: Team | None = None,
    note: str = "",
    now=None,
) -> Incident:
    """confirmed/dispatched → dispatched to a technician and/or a team (re-dispatch allowed).

    Effects, in order, in one transaction: the status, assignee and team; the
    ``dispatched`` event; INCIDENT_LIFECYCLE["dispatch"]: a replacement unit is reserved,
    the integrations hear.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    _require(actor, "dispatch", incident)

    def someone_active(_current):
        if assignee is None and team is None:
            raise ValidationError({"assignee": [_("Choose a technician or a team.")]})
        if assignee is not None and not assignee.is_active:
            raise ValidationError({"assignee": [_("This user is not active.")]})
        # Jobs go to technicians (the role), from the page, the API and the admin alike.
        if assignee is not None and not assignee.groups.filter(name=TECHNICIAN).exists():
            raise ValidationError({"assignee": [_("Only a technician can be given a job.")]})

    if team is None and assignee is not None:
        membership = assignee.memberships.select_related("team").order_by("pk").first()
        team = membership.team if membership else None
    fields = {"assignee": assignee, "team": team}
    if incident.dispatched_at is None:
        fields["dispatched_at"] = now
    return _transition(
        incident,
        "dispatch",
        actor=actor,
        now=now,
        to_status=Status.DISPATCHED,
        fields=fields,
        event=lambda i: timeline.dispatched(
            i, actor=actor, at=now, assignee=assignee, team=team, note=note
        ),
        checks=someone_active,
    )


def arrive_incident(incident: Incident, *, actor: Actor, note: str = "", now=None) -> Incident:
    """dispatched → on_site. The assignee, their team, or a role that works any job.

    Effects, in order, in one transaction: the status and ``arrived_at``; the ``arrived``
    event; INCIDENT_LIFECYCLE["arrive"]: the arrive clock ends and the resolve clock starts,
    the integrations hear.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    return _transition(
        incident,
        "arrive",
        actor=actor,
        now=now,
        to_status=Status.ON_SITE,
        fields={"arrived_at": now},
        event=lambda i: timeline.arrived(i, actor=actor, at=now, note=note),
    )


def resolve_incident(incident: Incident, *, actor: Actor, resolution: str, now=None) -> Incident:
    """confirmed/dispatched/on_site → resolved. ``resolution`` is required.

    Effects, in order, in one transaction:
    1. the status, ``resolved_at`` and the resolution (a conditional UPDATE of the locked row);
    2. the ``resolved`` timeline event, whose text is the resolution;
    3. INCIDENT_LIFECYCLE["resolve"] in settings, in order: the customer's survey link
       (assessments), every escalation clock stops (escalation), the ``resolved``
       integration event in the outbox (notifications).
    """
    now = now or timezone.now()
    resolution = (resolution or "").strip()
    return _transition(
        incident,
        "resolve",
        actor=actor,
        now=now,
        to_status=Status.RESOLVED,
        fields={"resolved_at": now, "resolution": resolution},
        event=lambda i: timeline.resolved(i, actor=actor, at=now, resolution=resolution),
        checks=lambda _current: _require_text(
            resolution, "resolution", _("Describe how it was resolved.")
        ),
    )


def close_incident(incident: Incident, *, actor: Actor, note: str = "", now=None) -> Incident:
    """resolved → closed, if every guard of INCIDENT_CLOSE_GUARDS passes (Level I and II
    need a submitted assessment).

    Effects, in order, in one transaction: the status and ``closed_at``; the ``closed``
    event; INCIDENT_LIFECYCLE["close"]: what the job still holds reserved goes back, every
    clock stops, the integrations hear; then the directives still open are marked done.
    """
    now = now or timezone.now()
    note = (note or "").strip()

    def guards(current):
        for guard in close_guards():
            guard(current)

    with transaction.atomic():
        incident = _transition(
            incident,
            "close",
            actor=actor,
            now=now,
            to_status=Status.CLOSED,
            fields={"closed_at": now},
            event=lambda i: timeline.closed(i, actor=actor, at=now, note=note),
            checks=guards,
        )
        Directive.objects.filter(incident=incident, status__in=ACTIVE_DIRECTIVE).update(
            status=DirectiveStatus.DONE, completed_at=now
        )
    return incident


def cancel_incident(incident: Incident, *, actor: Actor, reason: str, now=None) -> Incident:
    """Any open status → cancelled. ``reason`` is required.

    Effects, in order, in one transaction: the status and reason; the ``cancelled`` event;
    INCIDENT_LIFECYCLE["cancel"]: reservations go back and the failed-unit return is
    dropped, every clock stops, the integrations hear; then the open directives are
    cancelled.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        incident = _transition(
            incident,
            "cancel",
            actor=actor,
            now=now,
            to_status=Status.CANCELLED,
            fields={"cancelled_at": now, "cancel_reason": reason},
            event=lambda i: timeline.cancelled(i, actor=actor, at=now, reason=reason),
            checks=lambda _current: _require_text(
                reason, "reason", _("Say why the incident is cancelled.")
            ),
        )
        Directive.objects.filter(incident=incident, status__in=ACTIVE_DIRECTIVE).update(
            status=DirectiveStatus.CANCELLED
        )
    return incident


def regrade_incident(
    incident: Incident, *, actor: Actor, grade: str, reason: str = "", now=None
) -> Incident:
    """Change the grade of an open incident and recompute its deadlines from ``reported_at``.

    Milestones already reached keep their times; the open deadline moves. Directives the new
    grade calls for are issued (an upgrade to Level I alerts every group).
    """
    now = now or timezone.now()
    _require(actor, "regrade", incident)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status not in TRANSITIONS["regrade"]:
            raise InvalidTransition("regrade", locked.status)
        if grade not in Grade.values:
            raise ValidationError({"grade": [_("Choose Level I, II or III.")]})
        if locked.grade == grade:
            return locked
        old = locked.grade
        d = compute_deadlines(grade, locked.reported_at)
        locked.grade = grade
        locked.confirm_deadline, locked.arrive_deadline, locked.resolve_deadline = (
            d.confirm,
            d.arrive,
            d.resolve,
        )
        locked.next_deadline = next_deadline_for(locked.status, d.confirm, d.arrive, d.resolve)
        locked.updated_at = now
        locked.save(
            update_fields=[
                "grade",
                "confirm_deadline",
                "arrive_deadline",
                "resolve_deadline",
                "next_deadline",
                "updated_at",
            ]
        )
        timeline.write(
            [timeline.regraded(locked, actor=actor, at=now, old=old, reason=(reason or "").strip())]
        )
        issue_directives(locked, actor=actor, now=now)
        run_hooks("regrade", locked, actor=actor, now=now)
    return locked


def update_incident(incident: Incident, *, actor: Actor, now=None, **changes: Any) -> Incident:
    """Edit the report's facts (not its status, grade or deadlines). Records what changed."""
    now = now or timezone.now()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_incident() got unexpected fields {sorted(unknown)}")
    _require(actor, "update", incident)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status not in TRANSITIONS["update"]:
            raise InvalidTransition("update", locked.status)
        normalize_fields(changes)
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
        timeline.write([timeline.updated(locked, actor=actor, at=now, changed=changed)])
        run_hooks("update", locked, actor=actor, now=now)
    return locked


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def add_note(incident: Incident, *, actor: Actor, text: str, now=None) -> IncidentEvent:
    """Append a note to the timeline. Anyone who can see the incident may."""
    now = now or timezone.now()
    text = _require_text(text, "text", _("Write the note first."))
    _require(actor, "note", incident)
    with transaction.atomic():
        (event,) = timeline.write([timeline.note(incident, actor=actor, at=now, text=text)])
        return event


def add_photo(
    incident: Incident, *, actor: User, image, caption: str = "", now=None
) -> IncidentPhoto:
    """Attach a photo (from the technician's camera) and note it on the timeline."""
    now = now or timezone.now()
    _require(actor, "note", incident)
    if image.size > settings.MAX_PHOTO_BYTES:
        raise ValidationError({"image": [_("The photo is too large.")]})
    with transaction.atomic():
        photo = IncidentPhoto.objects.create(
            incident=incident,
            image=image,
            caption=(caption or "").strip()[:200],
            uploaded_by=actor,
            uploaded_at=now,
        )
        timeline.write([timeline.photo(incident, actor=actor, at=now, photo=photo)])
    return photo
