"""The incident lifecycle drives the clocks. A new incident's confirm clock is one of the
rows written with it (incidents.services.report_rows); every other hook runs inside the
transition's transaction (incidents.services.transition_hooks), so a clock starts or stops
exactly when the status change commits."""

from escalation import services
from escalation.models import Target
from incidents.models import Grade


def first_clocks(incident, *, actor, now) -> list:
    """report_rows: a new incident's confirm clock, written with the incident."""
    deadline = incident.confirm_deadline
    state = services.new_clock(incident, Target.CONFIRM, deadline=deadline, now=now)
    return [] if state is None else [state]


def on_report(incident, *, actor, now) -> None:
    """Level I: HQ is alerted in the reporting transaction."""
    services.alert_hq_now(incident, now=now, new=True)


on_report.applies = lambda incident: incident.grade == Grade.I


def _milestone(done: str, start: str):
    def hook(incident, *, actor, now) -> None:
        services.end_clocks(incident, reason=done, now=now, targets=[done])
        services.reset_level(incident)
        services.start_clock(
            incident, start, deadline=getattr(incident, f"{start}_deadline"), now=now
        )

    hook.__name__ = f"on_{done}"
    return hook


def _end_all(reason: str):
    def hook(incident, *, actor, now) -> None:
        services.end_clocks(incident, reason=reason, now=now)

    hook.__name__ = f"on_{reason}"
    return hook


def on_regrade(incident, *, actor, now) -> None:
    services.recompute(incident, now=now)


HOOKS = {
    "report": on_report,
    "confirm": _milestone(Target.CONFIRM, Target.ARRIVE),
    "arrive": _milestone(Target.ARRIVE, Target.RESOLVE),
    "resolve": _end_all("resolved"),
    "close": _end_all("closed"),
    "cancel": _end_all("cancelled"),
    "regrade": on_regrade,
}


def register() -> None:
    from incidents.services import report_rows, transition_hooks

    if first_clocks not in report_rows:
        report_rows.append(first_clocks)

    for action, hook in HOOKS.items():
        hooks = transition_hooks.setdefault(action, [])
        if hook not in hooks:
            hooks.append(hook)
