"""Integration events (created, changed, escalated, resolved) are written to the outbox in
the transaction of the change. ``escalated`` comes from the escalation sweep; detail edits
(``update_incident`` has no transition hook) come from the after-commit signal."""

from notifications import services


def _hook(event: str, action: str):
    def hook(incident, *, actor, now) -> None:
        step = event if event in ("created", "resolved") else f"{action}:{now.timestamp():.6f}"
        services.notify_integration_event(incident, event, step=step, now=now)

    hook.__name__ = f"integration_{action}"
    return hook


HOOKS = {
    "report": _hook("created", "report"),
    "resolve": _hook("resolved", "resolve"),
    **{
        a: _hook("changed", a)
        for a in ("confirm", "dispatch", "arrive", "close", "cancel", "regrade")
    },
}


def on_incident_event(sender, *, incident_id, event_id, kind, **kwargs) -> None:
    if kind != "updated":
        return
    from django.db import transaction
    from django.utils import timezone

    from incidents.models import Incident

    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is not None:
        with transaction.atomic():
            services.notify_integration_event(
                incident, "changed", step=f"event:{event_id}", now=timezone.now()
            )


def register() -> None:
    from incidents.services import transition_hooks
    from incidents.signals import incident_event

    for action, hook in HOOKS.items():
        hooks = transition_hooks.setdefault(action, [])
        if hook not in hooks:
            hooks.append(hook)
    incident_event.connect(on_incident_event, dispatch_uid="notifications.integration_updated")
