from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def positive_int(raw, *, default: int, maximum: int, name: str = "") -> int:
    """Parse a positive integer query parameter; ``page_size`` above the maximum is capped,
    anything that is not a positive integer is a 400."""
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1:
        raise ValidationError({name or "page": [_("Enter a whole number of 1 or more.")]})
    return min(value, maximum)
