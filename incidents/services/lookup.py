"""Reads for the desk's quick lookups: an incident by its number, a caller's history.

Both run on every keystroke pause or key press of a dispatcher, so each is a fixed, small
number of indexed queries whatever the size of the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.crypto import blind_index, normalise_phone
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


MIN_PHONE_DIGITS = 7  # fewer is still being typed
MIN_ASSET_CHARS = 5
HISTORY_LIMIT = 5
_LETTERS = re.compile(r"[^\d\s+\-().]")


def looks_like_phone(text: str) -> bool:
    """Typed as a phone number: only digits and separators, at least MIN_PHONE_DIGITS
    digits (a VIN or an incident number has digits too, but letters or a prefix)."""
    return not _LETTERS.search(text or "") and len(normalise_phone(text)) >= MIN_PHONE_DIGITS


def phone_index(phone: str) -> str:
    """The blind index a typed number is searched by: "+86 138-0000-0001",
    "138 0000 0001" and "13800000001" are the same caller (core.crypto.normalise_phone)."""
    return blind_index("phone", phone)


def name_index(name: str) -> str:
    """The blind index of a customer's name: exact, case and spacing aside."""
    return blind_index("name", name)


@dataclass
class CallerHistory:
    """What the desk already knows about a caller and a vehicle being typed at intake."""

    open_by_phone: list[Incident] = field(default_factory=list)
    open_by_asset: list[Incident] = field(default_factory=list)
    by_phone: list[Incident] = field(default_factory=list)
    by_asset: list[Incident] = field(default_factory=list)
    asset_ref: str = ""

    @property
    def open(self) -> list[Incident]:
        """Open incidents of the phone or the vehicle, each once, newest first."""
        seen: dict[int, Incident] = {}
        for incident in (*self.open_by_phone, *self.open_by_asset):
            seen.setdefault(incident.pk, incident)
        return sorted(seen.values(), key=lambda i: i.reported_at, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.by_phone or self.by_asset)


def caller_history(
    incidents: IncidentQuerySet, *, phone: str = "", asset_ref: str = ""
) -> CallerHistory:
    """The newest incidents of ``phone`` and of ``asset_ref`` among ``incidents``, and those
    still open. At most four queries, each on an index (incident_phone_bidx, incident_asset),
    whatever the number of incidents; nothing is read for a number still being typed. The
    phone is compared exactly, through its blind index (the column is encrypted)."""
    history = CallerHistory()
    incidents = incidents.select_related("category").order_by("-reported_at", "-id")
    if looks_like_phone(phone):
        by_phone = incidents.filter(customer_phone_bidx=phone_index(phone))
        history.by_phone = list(by_phone[:HISTORY_LIMIT])
        history.open_by_phone = list(by_phone.open()[:HISTORY_LIMIT])
    asset_ref = (asset_ref or "").strip().upper()
    if len(asset_ref) >= MIN_ASSET_CHARS:
        by_asset = incidents.for_asset(asset_ref)
        history.asset_ref = asset_ref
        history.by_asset = list(by_asset[:HISTORY_LIMIT])
        history.open_by_asset = list(by_asset.open()[:HISTORY_LIMIT])
    return history
