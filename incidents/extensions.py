"""Panels other apps add to the incident page and to a technician's job card.

An app registers a callable in its ``AppConfig.ready()``::

    from incidents.extensions import detail_panels
    detail_panels.append(my_panel)

``my_panel(request, incident)`` returns ``(template_name, context)`` or ``None`` (nothing to
show). Panels render in registration order below the facts of the incident. ``job_panels``
works the same for each job card on the technician's phone page.
"""

from django.template.loader import render_to_string

detail_panels: list = []
job_panels: list = []


def render_panels(panels: list, request, incident) -> list[str]:
    html = []
    for panel in panels:
        result = panel(request, incident)
        if result:
            template, context = result
            html.append(render_to_string(template, context, request=request))
    return html
