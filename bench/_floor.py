"""The floor: a bare Django view on the same stack that inserts one row and returns JSON."""

import json
from datetime import timedelta

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from incidents.models import Incident


@csrf_exempt
def floor(request):
    data = json.loads(request.body)
    now = timezone.now()
    incident = Incident.objects.create(
        title=data["title"],
        category_id=1,
        grade=data["grade"],
        reported_at=now,
        confirm_deadline=now + timedelta(minutes=30),
        arrive_deadline=now + timedelta(hours=2),
        resolve_deadline=now + timedelta(hours=8),
        next_deadline=now + timedelta(minutes=30),
    )
    return JsonResponse({"id": incident.pk, "title": incident.title}, status=201)
