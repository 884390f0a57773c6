from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_VIEW = ["vehicles.view_vehicle", "vehicles.view_vehiclemodel", "vehicles.view_mileagereading"]


class VehiclesConfig(AppConfig):
    name = "vehicles"
    verbose_name = _("Vehicles")

    def ready(self) -> None:
        from core import roles
        from incidents.extensions import detail_panels
        from vehicles import panels

        for role in (roles.DISPATCHER, roles.MANAGER, roles.LEGAL, roles.TECHNICIAN):
            roles.extend_role(role, _VIEW)
        roles.extend_role(
            roles.MANAGER,
            [
                "vehicles.add_vehicle",
                "vehicles.change_vehicle",
                "vehicles.add_mileagereading",
                "vehicles.view_sanbaorule",
            ],
        )
        roles.extend_role(roles.LEGAL, ["vehicles.view_sanbaorule"])
        if panels.detail_panel not in detail_panels:
            detail_panels.append(panels.detail_panel)
