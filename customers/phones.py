"""Chinese phone numbers: the one place that says what a valid number is and how it is
written.

A number is stored as its digits (``normalise``): a mainland mobile "13800138000", a
landline with its area code and trunk 0 "01012345678" / "075512345678". "+86", "0086",
spaces, dashes, dots and brackets are accepted as typed and dropped; full-width digits are
folded (core.crypto.normalise_phone, which the blind index also uses, so every way of
writing one number finds the same customer).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.crypto import normalise_phone

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 0 + a 2-digit area code (010, 02x) and an 8-digit local number, or 0 + a 3-digit area
# code (0[3-9]xx) and a 7- or 8-digit local number.
LANDLINE = re.compile(r"^(?:0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8})$")
# Service numbers companies call from (400/800).
SERVICE = re.compile(r"^[48]00\d{7}$")
_TYPED = re.compile(r"^[\d\s+\-().\uff10-\uff19\uff0b\uff0d]*$")

INVALID = _(
    "Enter a mainland China phone number: a mobile (11 digits starting 13-19, e.g. "
    "138 0013 8000) or a landline with its area code (e.g. 010 1234 5678); +86 is optional."
)


def normalise(value: str) -> str:
    """The digits of a valid Chinese number, or "" when ``value`` is not one."""
    value = (value or "").strip()
    if not value or not _TYPED.match(value):
        return ""
    plain = value.replace("\uff0b", "+").lstrip()
    if plain.startswith("+") and not plain[1:].lstrip().startswith("86"):
        return ""  # another country's code: not a Chinese number
    digits = normalise_phone(value)
    if digits.startswith("00"):
        return ""  # an international prefix other than 0086 (dropped by normalise_phone)
    if MOBILE.match(digits) or LANDLINE.match(digits) or SERVICE.match(digits):
        return digits
    return ""


def clean(value: str) -> str:
    """The normalised number, or a ValidationError that says what is expected."""
    digits = normalise(value)
    if not digits:
        raise ValidationError(INVALID, code="invalid_phone")
    return digits


def display(digits: str) -> str:
    """ "13800138000" -> "138 0013 8000"; "01012345678" -> "010 1234 5678"."""
    if MOBILE.match(digits or ""):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if (digits or "").startswith(("010", "02")) and len(digits) == 11:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if LANDLINE.match(digits or ""):
        return f"{digits[:4]} {digits[4:]}"
    return digits or ""
