from django import template

from incidents.extensions import describe_event

register = template.Library()


@register.filter
def event_detail(event) -> str:
    """The line under a timeline event, in the active language (incidents.extensions)."""
    return describe_event(event)
