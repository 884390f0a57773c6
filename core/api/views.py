from django.http import JsonResponse
from django.utils.translation import gettext as _


def not_found(request, *args, **kwargs):
    """Unmatched /api/ URLs answer in JSON like the rest of the API."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
