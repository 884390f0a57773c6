"""The incident lifecycle drives the clocks. Each hook runs inside the transition's
transaction (incidents.services.transition_hooks), so a clock starts or stops exactly when
the status change commits."""

from escalation import services
from escalation.models import Target
from incidents.models import Grade


def on_report(incident, *, actor, now) -> None:
    services.start_clock(
        incident, Target.CONFIRM, deadline=incident.confirm_deadline, now=now, new=True
    )
    if incident.grade == Grade.I:
        services.alert_hq_now(incident, now=now, new=True)


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
    from incidents.services import transition_hooks

    for action, hook in HOOKS.items():
        hooks = transition_hooks.setdefault(action, [])
        if hook not in hooks:
            hooks.append(hook)
