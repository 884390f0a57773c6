from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from incidents.models import Incident
from vehicles import services
from vehicles.models import MileageReading

INCIDENTS_SHOWN = 50


@login_required
@permission_required("vehicles.view_vehicle", raise_exception=True)
def vehicle_detail(request, vin: str):
    vehicle = services.vehicle_for_ref(vin)
    if vehicle is None:
        raise Http404
    # Only the incidents this user may see (incidents/access.py); the counters are facts
    # about the vehicle and count all of them.
    incidents = (
        Incident.objects.restrict(request.user)
        .for_asset(vehicle.vin)
        .with_list_relations()
        .order_by("-reported_at", "-id")
    )
    return render(
        request,
        "vehicles/detail.html",
        {
            "vehicle": vehicle,
            # A customer's name: as the privacy policy lets this user see it.
            "owner": import_module(settings.CUSTOMER_DATA_POLICY).owner_name(
                request.user, vehicle.owner_name
            ),
            "sanbao": services.sanbao_status(vehicle),
            "readings": MileageReading.objects.filter(vehicle=vehicle)[:10],
            "incidents": incidents[:INCIDENTS_SHOWN],
            "incident_count": incidents.count(),
            "shown": INCIDENTS_SHOWN,
            "now": timezone.now(),
        },
    )
