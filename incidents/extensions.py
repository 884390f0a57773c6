"""Panels other apps add to the incident page and to a technician's job card, and the
line the timeline shows under each kind of event.

An app registers a callable in its ``AppConfig.ready()``::

    from incidents.extensions import detail_panels
    detail_panels.append(my_panel)

``my_panel(request, incident)`` returns ``(template_name, context)`` or ``None`` (nothing to
show). Panels render in registration order below the facts of the incident. ``job_panels``
works the same for each job card on the technician's phone page; a job panel that reads
the database can also have a ``prefetch(request, incidents)`` method (``Prefetching``),
called once with all the cards of the page before the panel is called for each.

``event_details[kind] = describe`` sets what the timeline shows under an event of that kind:
``describe(event)`` returns plain text in the active language, built from ``event.data``
(codes become their labels at display time, so one stored event reads right in English
and in Chinese).
"""

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from django.template.loader import render_to_string

from core.models import in_active_language

detail_panels: list = []
job_panels: list = []
event_details: dict[str, Callable] = {}


def describe_event(event) -> str:
    describe = event_details.get(event.kind)
    return describe(event) if describe else ""


def name_in_language(data: dict, key: str) -> str:
    """``data[key]``, or ``data[key + "_zh"]`` when the reader's language is Chinese and the
    event recorded one."""
    return in_active_language(data.get(key) or "", data.get(f"{key}_zh") or "")


def choice_label(choices, value) -> str:
    """The label of ``value`` in a TextChoices class, or the value itself if unknown."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@runtime_checkable
class Prefetching(Protocol):
    def prefetch(self, request, incidents: Sequence) -> None: ...


def render_job_cards(request, incidents: Sequence) -> None:
    """Set ``incident.panels`` on each of a page of job cards."""
    for panel in job_panels:
        if isinstance(panel, Prefetching):
            panel.prefetch(request, incidents)
    for incident in incidents:
        incident.panels = render_panels(job_panels, request, incident)


def render_panels(panels: list, request, incident) -> list[str]:
    html = []
    for panel in panels:
        result = panel(request, incident)
        if result:
            template, context = result
            html.append(render_to_string(template, context, request=request))
    return html
