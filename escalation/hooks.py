"""What escalation does when an incident moves: its clocks start and stop with the status.
Each hook is listed, in order, in settings.INCIDENT_LIFECYCLE and runs inside the
transition's transaction, so a clock starts or stops exactly when the status change
commits."""

from __future__ import annotations

from datetime import datetime

from escalation import services
from escalation.models import Target
from incidents.models import Grade, Incident


def start_confirm_clock(incident: Incident, *, actor, now: datetime) -> None:
    """report: the new incident's confirm clock (the sweep fires it)."""
    services.start_clock(
        incident, Target.CONFIRM, deadline=incident.confirm_deadline, now=now, new=True
    )


def alert_hq(incident: Incident, *, actor, now: datetime) -> None:
    """report: a Level I incident alerts HQ at once (the ``report`` chain)."""
    if incident.grade == Grade.I:
        services.alert_hq_now(incident, now=now, new=True)


def _milestone(incident: Incident, done: str, start: str, now: datetime) -> None:
    services.end_clocks(incident, reason=done, now=now, targets=[done])
    services.reset_level(incident)
    services.start_clock(incident, start, deadline=getattr(incident, f"{start}_deadline"), now=now)


def confirm_clock_done(incident: Incident, *, actor, now: datetime) -> None:
    """confirm: the confirm clock ends, the arrive clock starts from level 0."""
    _milestone(incident, Target.CONFIRM, Target.ARRIVE, now)


def arrive_clock_done(incident: Incident, *, actor, now: datetime) -> None:
    """arrive: the arrive clock ends, the resolve clock starts from level 0."""
    _milestone(incident, Target.ARRIVE, Target.RESOLVE, now)


def stop_clocks(incident: Incident, *, actor, now: datetime) -> None:
    """resolve, close, cancel: every running clock stops; the new status is the reason."""
    services.end_clocks(incident, reason=str(incident.status), now=now)


def follow_new_grade(incident: Incident, *, actor, now: datetime) -> None:
    """regrade: the running clocks follow the new grade's chains and deadlines."""
    services.recompute(incident, now=now)
