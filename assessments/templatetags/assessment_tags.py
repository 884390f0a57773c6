from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds):
    """Seconds as '42 min' or '3 h 05 min' ('—' when unknown)."""
    if seconds is None or seconds == "":
        return "—"
    minutes = round(float(seconds) / 60)
    if minutes < 0:
        return "—"
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(d).1f days") % {"d": hours / 24 + minutes / 1440}


@register.filter
def minutes(value):
    """Minutes (float) as a duration."""
    return "—" if value is None else duration(float(value) * 60)


@register.filter
def pct(fraction, digits=1):
    if fraction is None:
        return "—"
    return f"{fraction * 100:.{int(digits)}f}%"


@register.filter
def num(value, digits=2):
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag
def action_statuses():
    from assessments.models import ActionStatus

    return ActionStatus.choices
