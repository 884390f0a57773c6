"""What the timeline shows under the incident desk's own events (registered in
``IncidentsConfig.ready()``; see incidents.extensions)."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from incidents.extensions import choice_label, event_details, name_in_language
from incidents.models import DirectiveStatus, EventKind, Grade, Incident


def dispatched(event) -> str:
    data = event.data
    team = name_in_language(data, "team_name")
    who = data.get("assignee_name") or ""
    if team and who:
        return f"→ {who} ({team})"
    return f"→ {who or team}" if who or team else ""


def regraded(event) -> str:
    data = event.data
    return f"{choice_label(Grade, data.get('from'))} → {choice_label(Grade, data.get('to'))}"


def directive(event) -> str:
    data = event.data
    parts = [name_in_language(data, "team_name")]
    if data.get("status"):
        parts.append(choice_label(DirectiveStatus, data["status"]))
    return " · ".join(p for p in parts if p)


def updated(event) -> str:
    names = []
    for name in event.data.get("changed") or {}:
        try:
            names.append(str(capfirst(Incident._meta.get_field(name).verbose_name)))
        except FieldDoesNotExist:
            names.append(name)
    return _(", ").join(names)


def register() -> None:
    event_details.update(
        {
            EventKind.DISPATCHED: dispatched,
            EventKind.REGRADED: regraded,
            EventKind.DIRECTIVE: directive,
            EventKind.DIRECTIVE_UPDATED: directive,
            EventKind.UPDATED: updated,
        }
    )
