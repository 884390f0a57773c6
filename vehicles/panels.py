"""The 三包 panel on the incident page: the incident's vehicle (its ``asset_ref`` is the
VIN), the vehicle's 三包 status and a link to the vehicle page. An equipment serial, or a
VIN not on file, shows nothing."""

from __future__ import annotations

from vehicles import services


def detail_panel(request, incident):
    if not request.user.has_perm("vehicles.view_vehicle") or not incident.asset_ref:
        return None
    vehicle = services.vehicle_for_ref(incident.asset_ref)
    if vehicle is None:
        return None
    return "vehicles/panels/sanbao.html", {
        "vehicle": vehicle,
        "sanbao": services.sanbao_status(vehicle),
    }
