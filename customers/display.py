"""A customer as the reader may see them: the pages and the API show a customer only
through here. Masking is privacy's (above customers in the layers): it is reached through
the module named in ``settings.CUSTOMER_DATA_POLICY`` (privacy.seams.customer_record)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings

from customers import phones as phone_rules
from customers.models import Customer

CLEAR = "clear"


@dataclass(frozen=True)
class Shown:
    name: str
    phones: list[str]
    level: str  # "clear", "masked" or "hidden"

    @property
    def clear(self) -> bool:
        return self.level == CLEAR


def shown(user, customer: Customer) -> Shown:
    """``customer``'s name and phones (written "138 0013 8000") as ``user`` may see them.
    Reads ``customer.phones.all()`` (prefetch it for a list)."""
    numbers = [p.number for p in customer.phones.all() if p.number]
    policy = import_module(settings.CUSTOMER_DATA_POLICY)
    name, masked_phones, level = policy.customer_record(user, customer.name, numbers)
    if level == CLEAR:
        masked_phones = [phone_rules.display(n) for n in numbers]
    return Shown(name=name, phones=masked_phones, level=level)
