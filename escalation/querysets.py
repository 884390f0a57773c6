"""Named reads of the escalation app: the dashboard and the incident panel.

The dashboard runs a fixed number of queries whatever the number of incidents on file, each
on an index: open incidents are those with a ``next_deadline`` (partial index), ordered by
it so that the most overdue come first; today's figures read ``reported_at`` and
``fired_at`` ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from escalation.models import EscalationFire, EscalationState, Outcome
from incidents.models import Grade, Incident, Status
from notifications.models import Channel, Notification
from teams.models import DutyShift

BOARD_SIZE = 50


@dataclass
class Row:
    incident: Incident
    target: str
    deadline: datetime
    seconds_left: int
    level: int = 0
    step: int = 0
    next_due_at: datetime | None = None
    told: list[dict] = field(default_factory=list)
    is_new_grade_i: bool = False

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0

    @property
    def late_seconds(self) -> int:
        return max(0, -self.seconds_left)


NEW_GRADE_I = 5  # unconfirmed Level I incidents shown at the top, newest first


def open_incidents(*, team=None, grades=()):
    """Open incidents (those with a next deadline), filtered by team and grades."""
    qs = Incident.objects.filter(next_deadline__isnull=False)
    if team is not None:
        qs = qs.filter(team=team)
    if grades:
        qs = qs.filter(grade__in=grades)
    return qs


def board(now: datetime, *, limit: int = BOARD_SIZE, team=None, grades=()) -> list[Row]:
    """The open incidents that need attention first: new (unconfirmed) Level I incidents,
    then the most overdue, then the nearest deadlines; with their escalation step and who
    has been told (4 queries)."""
    base = open_incidents(team=team, grades=grades).select_related("category", "team", "assignee")
    new_grade_i = []
    if not grades or Grade.I in grades:
        new_grade_i = list(
            base.filter(grade=Grade.I, status=Status.REPORTED).order_by("-reported_at", "-id")[
                :NEW_GRADE_I
            ]
        )
    first = {i.pk for i in new_grade_i}
    incidents = new_grade_i + [
        i for i in base.order_by("next_deadline", "id")[:limit] if i.pk not in first
    ]
    rows = {}
    for incident in incidents:
        target = incident.current_target()
        name, deadline = target if target else ("", incident.next_deadline)
        rows[incident.pk] = Row(
            incident=incident,
            target=name,
            deadline=deadline,
            seconds_left=int((deadline - now).total_seconds()),
            level=incident.escalation_level,
            is_new_grade_i=incident.pk in first,
        )
    if not rows:
        return []
    states = (
        EscalationState.objects.filter(incident_id__in=rows, ended_at__isnull=True)
        .exclude(target="report")
        .values_list("incident_id", "target", "last_fired_seq", "next_due_at")
    )
    last_steps = Q(pk__in=[])
    for incident_id, target, last_fired, next_due_at in states:
        row = rows[incident_id]
        row.step, row.next_due_at = last_fired, next_due_at
        if last_fired:
            last_steps |= Q(incident_id=incident_id, step=f"{target}:{last_fired}")
    told = (
        Notification.objects.filter(last_steps, channel=Channel.INAPP)
        .values_list(
            "incident_id", "user__username", "user__first_name", "user__last_name", "read_at"
        )
        .order_by("incident_id", "user__username")
    )
    for incident_id, username, first, last, read_at in told:
        rows[incident_id].told.append(
            {"name": f"{first} {last}".strip() or username, "read": read_at is not None}
        )
    return list(rows.values())


def open_counts(now: datetime, *, team=None, grades=()) -> dict:
    """Open incidents by grade and status, with how many are overdue and escalated (1 query)."""
    grid = {g: {s: 0 for s in Status.values[:4]} for g in Grade.values}
    totals = {"open": 0, "overdue": 0, "escalated": 0}
    rows = (
        open_incidents(team=team, grades=grades)
        .values("grade", "status")
        # COUNT(grade), not COUNT(id): an index-only scan of the covering partial index
        # (escalation migration 0003) answers it without touching the table.
        .annotate(
            n=Count("grade"),
            overdue=Count("grade", filter=Q(next_deadline__lt=now)),
            escalated=Count("grade", filter=Q(escalation_level__gt=0)),
        )
        .order_by()
    )
    for row in rows:
        if row["grade"] in grid and row["status"] in grid[row["grade"]]:
            grid[row["grade"]][row["status"]] = row["n"]
        totals["open"] += row["n"]
        totals["overdue"] += row["overdue"]
        totals["escalated"] += row["escalated"]
    return {"grid": grid, "statuses": Status.values[:4], **totals}


def today(now: datetime) -> dict:
    """Today's figures in the configured time zone (2 queries, both on range indexes)."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    reported = Incident.objects.filter(reported_at__gte=start, reported_at__lt=now).aggregate(
        total=Count("id"),
        grade_i=Count("id", filter=Q(grade=Grade.I)),
    )
    fires = EscalationFire.objects.filter(
        fired_at__gte=start, fired_at__lt=now + timedelta(seconds=1), outcome=Outcome.FIRED
    ).aggregate(steps=Count("id"), incidents=Count("incident_id", distinct=True))
    return {
        "reported": reported["total"],
        "reported_grade_i": reported["grade_i"],
        "escalation_steps": fires["steps"],
        "escalated_incidents": fires["incidents"],
    }


def on_duty(now: datetime) -> list[DutyShift]:
    return list(
        DutyShift.objects.on_duty(now).select_related("user", "team").order_by("kind", "ends_at")
    )


def incident_escalation(incident: Incident) -> dict:
    """The incident page panel: its clocks and the ledger, due vs fired (2 queries).
    Consecutive reminders collapse into one line with a count, and the occurrences a
    catch-up superseded into one line naming the step that fired instead."""
    fires = list(incident.escalation_fires.order_by("target", "seq", "id"))
    fires.sort(key=lambda f: (f.fired_at, f.target, f.seq))
    return {
        "states": list(incident.escalation_states.order_by("started_at", "id")),
        "lines": ledger_lines(fires),
    }


@dataclass
class Line:
    """One line of the ledger as shown: a step, or a run of reminders or superseded ones."""

    kind: str  # "step", "reminders" or "superseded"
    first: EscalationFire
    last: EscalationFire
    count: int = 1

    @property
    def label(self) -> str:
        from escalation import labels

        f = self.first
        if self.kind == "reminders":
            return f"{labels.target_label(f.target)}, {labels.reminders(self.count)}"
        if self.count > 1:
            return labels.occurrences_label(f.target, f.seq, self.last.seq)
        return labels.step_label(f.target, f.seq, reminder=f.is_reminder)


def ledger_lines(fires: list[EscalationFire]) -> list[Line]:
    lines: list[Line] = []
    for fire in fires:
        superseded = fire.outcome == Outcome.SUPERSEDED
        kind = "superseded" if superseded else ("reminders" if fire.is_reminder else "step")
        prev = lines[-1] if lines else None
        if (
            prev is not None
            and kind != "step"
            and prev.kind == kind
            and prev.first.target == fire.target
            and (kind != "superseded" or prev.first.superseded_by == fire.superseded_by)
        ):
            prev.last, prev.count = fire, prev.count + 1
            continue
        lines.append(Line(kind, fire, fire))
    return lines
