"""Small presentation helpers shared by the desk's templates."""

from datetime import timedelta

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A timedelta as '1d 3h', '2h 05m' or '12m'."""
    if value is None:
        return ""
    seconds = int(abs(value.total_seconds()))
    days, rem = divmod(seconds, 86400)
    hours, rem = divmod(rem, 3600)
    minutes = rem // 60
    if days:
        return _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)dh %(m)02dm") % {"h": hours, "m": minutes}
    return _("%(m)dm") % {"m": minutes}


@register.simple_tag
def countdown(deadline, now=None):
    """A live countdown (static/js/app.js updates it every second)."""
    if deadline is None:
        return ""
    return format_html(
        '<span class="countdown" data-deadline="{}">{}</span>', deadline.isoformat(), ""
    )


@register.inclusion_tag("core/partials/field.html")
def field(bound_field, css: str = ""):
    return {"field": bound_field, "css": css}


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some keys replaced (for sorting and paging links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
