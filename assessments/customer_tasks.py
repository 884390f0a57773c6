"""Customer service's calls: the return visit (回访) of a Level I or II incident
RETURN_VISIT_DAYS after it closed, and the follow-up of a low survey score (at once).

A task shows in customer service's list from its ``due_at``; it is "due" for
CUSTOMER_TASK_GRACE_HOURS, then "overdue", until the call's outcome is recorded.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from assessments.exceptions import TaskDone
from assessments.models import CallOutcome, CustomerTask, Survey, TaskKind
from core.roles import CUSTOMER_SERVICE
from core.types import Actor
from incidents import access
from incidents.models import EventKind, Grade, Incident
from incidents.services import Said, record_event

log = logging.getLogger(__name__)

RETURN_VISIT_GRADES = (Grade.I, Grade.II)
# What the timeline says when a call is recorded (message ids: read in each reader's language).
CALL_SAID = {
    (TaskKind.RETURN_VISIT, CallOutcome.REACHED): gettext_noop("Return visit: customer reached."),
    (TaskKind.RETURN_VISIT, CallOutcome.NOT_REACHED): gettext_noop(
        "Return visit: customer not reached."
    ),
    (TaskKind.RETURN_VISIT, CallOutcome.REFUSED): gettext_noop("Return visit: customer refused."),
    (TaskKind.FOLLOW_UP, CallOutcome.REACHED): gettext_noop("Survey follow-up: customer reached."),
    (TaskKind.FOLLOW_UP, CallOutcome.NOT_REACHED): gettext_noop(
        "Survey follow-up: customer not reached."
    ),
    (TaskKind.FOLLOW_UP, CallOutcome.REFUSED): gettext_noop("Survey follow-up: customer refused."),
}


def _create(incident: Incident, kind: str, *, due_at: datetime, now: datetime, survey=None):
    """One task of ``kind`` per incident: a second call returns the first (a savepoint
    takes the unique constraint's refusal when two callers race)."""
    try:
        with transaction.atomic():
            return CustomerTask.objects.create(
                incident=incident, kind=kind, due_at=due_at, created_at=now, survey=survey
            )
    except IntegrityError:
        return CustomerTask.objects.get(incident=incident, kind=kind)


def plan_return_visit(incident: Incident, *, now: datetime) -> CustomerTask | None:
    """close: a Level I or II incident gets its return visit, due RETURN_VISIT_DAYS later."""
    if incident.grade not in RETURN_VISIT_GRADES:
        return None
    due = now + timedelta(days=settings.RETURN_VISIT_DAYS)
    return _create(incident, TaskKind.RETURN_VISIT, due_at=due, now=now)


def open_follow_up(survey: Survey, *, now: datetime) -> CustomerTask:
    """A low survey score: customer service calls the customer back, due at once, and is
    told in the app (after commit)."""
    task = _create(survey.incident, TaskKind.FOLLOW_UP, due_at=now, now=now, survey=survey)
    transaction.on_commit(lambda: _notify_follow_up(task.pk))
    return task


def _notify_follow_up(task_id: int) -> None:
    from notifications.services import notify_users

    task = CustomerTask.objects.select_related("incident", "survey").get(pk=task_id)
    number = task.incident.number
    low = task.survey.lowest_score() if task.survey else None

    def text(language: str) -> tuple[str, str]:
        with override(language):
            title = _("Low survey score: %(number)s") % {"number": number}
            body = _("The customer gave %(score)s/5. Call them back and record the call.") % {
                "score": low
            }
        return title, body

    users = get_user_model().objects.filter(groups__name=CUSTOMER_SERVICE, is_active=True)
    try:
        notify_users(
            users.values_list("pk", flat=True),
            event="survey_follow_up",
            step=f"survey_follow_up:{task.pk}",
            text=text,
            url=settings.SITE_URL + reverse("assessments:customer_tasks"),
        )
    except Exception:  # the task is in the list all the same
        log.exception("could not notify follow-up task %s", task_id)


# --- the list -------------------------------------------------------------------------


def state(task: CustomerTask, now: datetime) -> str:
    """done, upcoming (not yet due), due, or overdue."""
    if task.done_at:
        return "done"
    if task.due_at > now:
        return "upcoming"
    if task.due_at + timedelta(hours=settings.CUSTOMER_TASK_GRACE_HOURS) <= now:
        return "overdue"
    return "due"


def work_list(user: Actor, now: datetime, *, done_limit: int = 20) -> dict[str, list]:
    """Customer service's open calls (overdue first, then due) and the latest done ones,
    for incidents the user may see."""
    visible = Incident.objects.restrict(user).values("pk")
    base = CustomerTask.objects.filter(incident__in=visible).select_related("incident", "survey")
    open_tasks = list(base.filter(done_at__isnull=True, due_at__lte=now).order_by("due_at", "pk"))
    grace = timedelta(hours=settings.CUSTOMER_TASK_GRACE_HOURS)
    return {
        "overdue": [t for t in open_tasks if t.due_at + grace <= now],
        "due": [t for t in open_tasks if t.due_at + grace > now],
        "done": list(
            base.filter(done_at__isnull=False)
            .select_related("done_by")
            .order_by("-done_at")[:done_limit]
        ),
    }


def open_count(user: Actor, now: datetime) -> int:
    visible = Incident.objects.restrict(user).values("pk")
    return CustomerTask.objects.filter(
        incident__in=visible, done_at__isnull=True, due_at__lte=now
    ).count()


# --- the call -------------------------------------------------------------------------


def record_call(
    task: CustomerTask,
    *,
    actor: Actor,
    outcome: str,
    satisfied: bool | None = None,
    note: str = "",
    now: datetime | None = None,
) -> CustomerTask:
    """Customer service records the call: reached, not reached or refused; whether the
    customer is satisfied (only when reached); a note. Done once (a conditional UPDATE:
    two people recording the same call store one outcome)."""
    now = now or timezone.now()
    access.require(actor, "view", task.incident)
    access.require_perm(actor, "assessments.change_customertask")
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": [_("Choose the outcome of the call.")]})
    if outcome != CallOutcome.REACHED:
        satisfied = None
    note = (note or "").strip()[:2000]
    if outcome != CallOutcome.REACHED and not note:
        raise ValidationError({"note": [_("Say what happened (when to try again, why).")]})
    with transaction.atomic():
        updated = CustomerTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=now, done_by=actor, outcome=outcome, satisfied=satisfied, note=note
        )
        if not updated:
            raise TaskDone()
        record_event(
            task.incident,
            EventKind.NOTE,
            actor=actor,
            now=now,
            data={"customer_task": task.pk},
            text=Said(CALL_SAID[(TaskKind(task.kind), CallOutcome(outcome))]),
        )
    task.refresh_from_db()
    return task
