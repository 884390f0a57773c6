"""Integration events (created, changed, escalated, resolved) are written to the outbox in
the transaction of the change, through the incident services' transition hooks (detail
edits included). ``escalated`` comes from the escalation sweep."""

from notifications import services


def _hook(event: str, action: str):
    def hook(incident, *, actor, now) -> None:
        step = event if event in ("created", "resolved") else f"{action}:{now.timestamp():.6f}"
        services.notify_integration_event(incident, event, step=step, now=now)

    hook.__name__ = f"integration_{action}"
    hook.applies = lambda incident: bool(services.subscribers(event))
    return hook


HOOKS = {
    "report": _hook("created", "report"),
    "resolve": _hook("resolved", "resolve"),
    **{
        a: _hook("changed", a)
        for a in ("confirm", "dispatch", "arrive", "close", "cancel", "regrade", "update")
    },
}


def register() -> None:
    from incidents.services import transition_hooks

    for action, hook in HOOKS.items():
        hooks = transition_hooks.setdefault(action, [])
        if hook not in hooks:
            hooks.append(hook)
