"""Who sees a customer's name and phone in clear: the one place that decides.

- Dispatchers, managers, admins (and integration accounts, which do the desk's work by
  API): in clear (``privacy.view_customer_data``).
- Technicians (``privacy.view_customer_data_on_job``): in clear on their own open jobs
  (assigned to them or to one of their teams, not yet resolved); masked otherwise.
- Logistics and legal (``privacy.reveal_customer_data``): masked (``138****1234``,
  ``张*``, ``W*** Li``) unless they reveal it with a reason (``privacy.services.reveal``);
  a reveal shows it in clear to that user on that incident for ``REVEAL_MINUTES``.
- Anyone else (a partner account with no role): hidden.

``user`` None is the system (tasks, commands): in clear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from incidents.models import OPEN_STATUSES as _OPEN

if TYPE_CHECKING:
    from incidents.models import Incident

CLEAR, MASKED, HIDDEN = "clear", "masked", "hidden"
# How long a reveal lasts for its user on its incident (a call, a letter being written).
REVEAL_MINUTES = 15
# A job is "open" for a technician until it is resolved.
OPEN_STATUSES = frozenset(_OPEN)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def mask_phone(phone: str) -> str:
    """``13812341234`` -> ``138****1234``; a short number keeps only its last two digits."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if len(digits) >= 8:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 2) + digits[-2:]


def mask_name(name: str) -> str:
    """``张三`` -> ``张*``; ``Wei Li`` -> ``W*** Li``; ``Li`` -> ``L***``."""
    name = (name or "").strip()
    if not name:
        return ""
    if _CJK.search(name):
        return name[0] + "*" * max(len(name) - 1, 1)
    words = name.split()
    if len(words) == 1:
        return f"{words[0][0]}***"
    return " ".join([*(f"{w[0]}***" for w in words[:-1]), words[-1]])


def _team_ids(user) -> frozenset[int]:
    """The user's teams, read once per user object (one per request)."""
    if not hasattr(user, "_privacy_team_ids"):
        user._privacy_team_ids = frozenset(user.memberships.values_list("team_id", flat=True))
    return user._privacy_team_ids


def is_on_job(user, incident: Incident) -> bool:
    """``incidents.access.is_on_job`` with the user's teams read once per request, so a
    list of jobs costs no query per row."""
    return incident.assignee_id == user.pk or (
        incident.team_id is not None and incident.team_id in _team_ids(user)
    )


def level(user, incident: Incident) -> str:
    """CLEAR, MASKED or HIDDEN: how ``user`` sees the customer of ``incident`` before any
    reveal."""
    if user is None:
        return CLEAR
    if not user.is_authenticated or not user.is_active:
        return HIDDEN
    always, on_job, reveal = _perms(user)
    if always:
        return CLEAR
    if on_job:
        if incident.status in OPEN_STATUSES and is_on_job(user, incident):
            return CLEAR
        return MASKED
    if reveal:
        return MASKED
    return HIDDEN


def _perms(user) -> tuple[bool, bool, bool]:
    """The user's three customer-data permissions, read once per user object (one per
    request): a list of 200 incidents asks ``level`` 200 times."""
    if not hasattr(user, "_privacy_perms"):
        user._privacy_perms = (
            user.has_perm("privacy.view_customer_data"),
            user.has_perm("privacy.view_customer_data_on_job"),
            user.has_perm("privacy.reveal_customer_data"),
        )
    return user._privacy_perms


def may_reveal(user, incident: Incident) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.has_perm("privacy.reveal_customer_data")
        and level(user, incident) == MASKED
    )


def export_level(user) -> str:
    """How an export (many incidents, no reveal) shows customers to ``user``: in clear only
    for the roles that always see them, masked for the roles that may see them masked."""
    if user is None or user.has_perm("privacy.view_customer_data"):
        return CLEAR
    if user.has_perm("privacy.view_customer_data_on_job") or user.has_perm(
        "privacy.reveal_customer_data"
    ):
        return MASKED
    return HIDDEN


@dataclass(frozen=True)
class CustomerView:
    """The customer of one incident as one user may see it."""

    name: str
    phone: str
    level: str  # CLEAR, MASKED, HIDDEN, or "revealed"
    can_reveal: bool = False
    name_clear: bool = False
    phone_clear: bool = False

    @property
    def masked(self) -> bool:
        return not (self.name_clear and self.phone_clear)

    @property
    def hidden(self) -> bool:
        return self.level == HIDDEN

    @property
    def empty(self) -> bool:
        return not (self.name or self.phone)


def shown(name: str, phone: str, how: str, revealed: frozenset[str] = frozenset()) -> tuple:
    """(name, phone) as shown at ``how``, with the fields in ``revealed`` in clear."""
    if how == CLEAR:
        return name, phone
    if how == HIDDEN:
        return "", ""
    return (
        name if "name" in revealed else mask_name(name),
        phone if "phone" in revealed else mask_phone(phone),
    )


def revealed_fields(user, incident: Incident, now=None) -> frozenset[str]:
    """The fields ``user`` revealed on ``incident`` in the last ``REVEAL_MINUTES``."""
    from privacy.models import Field, RevealLog

    since = (now or timezone.now()) - timedelta(minutes=REVEAL_MINUTES)
    fields = set(
        RevealLog.objects.filter(user=user, incident=incident, created_at__gt=since)
        .values_list("field", flat=True)
        .distinct()
    )
    if Field.ALL in fields:
        return frozenset({"name", "phone"})
    return frozenset(fields)


def customer_view(user, incident: Incident, *, check_reveals: bool = True) -> CustomerView:
    """The customer of ``incident`` as ``user`` sees it. With ``check_reveals`` (a page
    about one incident), a user who may reveal sees what they revealed lately (one query);
    lists pass False and add no query."""
    name, phone = incident.customer_name or "", incident.customer_phone or ""
    how = level(user, incident)
    revealed: frozenset[str] = frozenset()
    can_reveal = False
    if how == MASKED and user.has_perm("privacy.reveal_customer_data"):
        can_reveal = True
        if check_reveals and (name or phone):
            revealed = revealed_fields(user, incident)
    shown_name, shown_phone = shown(name, phone, how, revealed)
    name_clear = how == CLEAR or "name" in revealed
    phone_clear = how == CLEAR or "phone" in revealed
    return CustomerView(
        name=shown_name,
        phone=shown_phone,
        level="revealed" if revealed else how,
        can_reveal=can_reveal and not (name_clear and phone_clear),
        name_clear=name_clear,
        phone_clear=phone_clear,
    )
