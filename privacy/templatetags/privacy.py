"""The customer's name and phone in templates, as the reader may see them
(privacy.policy)::

    {% load privacy %}
    {% customer_contact incident %}            name · phone (tel: link), and the reveal form
    {% customer_contact job link_phone=True %}
    {{ incident|customer_name_for:user }}      the name only, for lists (adds no query)
"""

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from privacy import policy
from privacy.forms import RevealForm

register = template.Library()


def view_for(user, incident, *, check_reveals: bool = True) -> policy.CustomerView:
    if not hasattr(user, "has_perm"):  # no user in the template's context: nothing shown
        user = AnonymousUser()
    cached = getattr(incident, "_privacy_view", None)
    if cached and cached[0] == getattr(user, "pk", None):
        return cached[1]
    view = policy.customer_view(user, incident, check_reveals=check_reveals)
    incident._privacy_view = (getattr(user, "pk", None), view)
    return view


@register.inclusion_tag("privacy/customer.html", takes_context=True)
def customer_contact(context, incident, show_phone=True, reveal=True, form=None):
    request = context.get("request")
    user: Any = context.get("user") or getattr(request, "user", None)
    if not hasattr(user, "has_perm"):
        user = AnonymousUser()
    view = view_for(user, incident, check_reveals=reveal)
    return {
        "incident": incident,
        "view": view,
        "show_phone": show_phone,
        "reveal": reveal and view.can_reveal and not view.empty,
        # Managers: who has revealed this customer (the reveal log of the incident).
        "log_link": reveal and user.has_perm("privacy.view_reveallog"),
        "form": form or RevealForm(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.filter
def customer_name_for(incident, user) -> str:
    """The customer's name as ``user`` may see it in a list (no reveal, no query)."""
    return view_for(user, incident, check_reveals=False).name


@register.filter
def customer_phone_for(incident, user) -> str:
    return view_for(user, incident, check_reveals=False).phone


@register.filter
def masked_phone(value) -> str:
    return policy.mask_phone(value)
