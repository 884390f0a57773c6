"""The vehicle identification number: 17 characters, no I, O or Q, and the check digit in
position 9 (ISO 3779 / GB 16735: each character's value times its position's weight,
summed, modulo 11; a remainder of 10 is written ``X``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# The transliteration table: digits are themselves; letters as ISO 3779 / GB 16735 give
# them (I, O and Q are never used, so they have no value).
VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
LENGTH = 17


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def check_digit(vin: str) -> str:
    """The check digit position 9 should carry (the character at position 9 is ignored:
    its weight is 0)."""
    total = sum(VALUES[char] * weight for char, weight in zip(vin, WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(value: str) -> None:
    """Raise ``ValidationError`` with the reason a person can act on."""
    vin = normalize(value)
    if len(vin) != LENGTH:
        raise ValidationError(
            _("A VIN has 17 characters; this one has %(count)d."),
            code="vin_length",
            params={"count": len(vin)},
        )
    forbidden = sorted({char for char in vin if char in "IOQ"})
    if forbidden:
        raise ValidationError(
            _("A VIN never contains the letters I, O or Q (found: %(letters)s)."),
            code="vin_letters",
            params={"letters": ", ".join(forbidden)},
        )
    unknown = sorted({char for char in vin if char not in VALUES})
    if unknown:
        raise ValidationError(
            _("A VIN has only letters and digits (found: %(chars)s)."),
            code="vin_chars",
            params={"chars": " ".join(unknown)},
        )
    expected = check_digit(vin)
    if vin[8] != expected:
        raise ValidationError(
            _(
                "The check digit (9th character) of this VIN is %(found)s but should be "
                "%(expected)s: a character was probably mistyped."
            ),
            code="vin_check_digit",
            params={"found": vin[8], "expected": expected},
        )
