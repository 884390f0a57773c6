"""Small display helpers of the spare-parts pages."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def actor_name(user) -> str:
    """Who did it: the person's name, or "System" for a row the system made itself
    (opening balances, automatic purchase requests, moves of a lifecycle hook)."""
    if user is None:
        return _("System")
    return user.get_full_name() or user.get_username()
