"""Reads for the desk's quick lookups: an incident by its number, a caller's history.

Both run on every keystroke pause or key press of a dispatcher, so each is a fixed, small
number of indexed queries whatever the size of the table.
"""

from __future__ import annotations

import re

from incidents.models import Incident
from incidents.querysets import IncidentQuerySet


def by_number(incidents: IncidentQuerySet, text: str) -> Incident | None:
    """The incident of ``incidents`` numbered ``text``, typed in full (AS-20261123-000042)
    or as its last digits (000042, 42, 20261123-000042): a number ends in the primary key.
    None if there is none. One or two primary-key/unique lookups."""
    text = text.strip().upper()
    exact = incidents.filter(number=text).first()
    if exact is not None or not (digits := re.search(r"(\d{1,12})$", text)):
        return exact
    found = incidents.filter(pk=int(digits.group(1))).first()
    if found is not None and "-" in text and not (found.number or "").endswith(text):
        return None  # a partial number with a date that is not this incident's
    return found
