"""What the incidents app calls, through ``settings.CUSTOMER_DATA_POLICY``, to show a
customer in its API and exports (incidents sits below privacy and does not import it)."""

from __future__ import annotations

from collections.abc import Callable

from privacy import policy, services
from privacy.models import AccessKind


def api_customer(request, incident, *, single: bool) -> tuple[str, str]:
    """(name, phone) of ``incident``'s customer as the API's caller may see them. A single
    incident's representation (not a list page) counts reveals, and when read, writes the
    access log."""
    user = getattr(request, "user", None) if request is not None else None
    if request is None:  # a representation built outside a request: as the system
        return incident.customer_name or "", incident.customer_phone or ""
    view = policy.customer_view(user, incident, check_reveals=single)
    # A read (GET), not the echo of what the caller just wrote.
    if single and request.method == "GET":
        services.record_access(user, incident, kind=AccessKind.API, view=view)
    return view.name, view.phone


def export_customer(user) -> tuple[Callable[[str], str], Callable[[list[int], str], None]]:
    """For one export by ``user``: how each customer name is written, and what to call with
    the exported incidents' ids once it is written (the access log, when in clear)."""
    how = policy.export_level(user)

    def name(value: str) -> str:
        return policy.shown(value or "", "", how)[0]

    def done(ids: list[int], detail: str) -> None:
        if how == policy.CLEAR:
            services.record_export(user, ids, detail=detail)

    return name, done


def owner_name(user, value: str) -> str:
    """A vehicle owner's name (a customer's) as ``user`` may see it on the vehicle page: in
    clear for the roles that always see customers, masked or hidden for the others (no
    reveal there: the owner's incidents have their own)."""
    return policy.shown(value or "", "", policy.export_level(user))[0]


def customer_record(user, name: str, phones: list[str]) -> tuple[str, list[str], str]:
    """A customer record (customers/) as ``user`` may see it: (name, phones, level). In clear
    for the roles that always see customers, masked for those that may see them masked;
    a role that may open customer records (customer service) but not customers' data sees
    them masked, never hidden, so it can tell records apart."""
    how = policy.export_level(user)
    if how == policy.HIDDEN and user is not None and user.has_perm("customers.view_customer"):
        how = policy.MASKED
    shown_name = policy.shown(name or "", "", how)[0]
    shown_phones = [policy.shown("", p, how)[1] for p in phones]
    return shown_name, [p for p in shown_phones if p], how


def customer_hidden(user, incident) -> bool:
    """Whether ``user`` may see nothing of ``incident``'s customer (not even masked): the
    customer-message log then shows no address at all."""
    return policy.level(user, incident) == policy.HIDDEN
