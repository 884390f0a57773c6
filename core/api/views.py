from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # writes nothing; without it a POST with a session cookie got Django's HTML 403
def not_found(request, *args, **kwargs):
    """Unmatched /api/ URLs answer in JSON like the rest of the API."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
