from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_VIEW = [
    "spareparts.view_part",
    "spareparts.view_depot",
    "spareparts.view_stockbalance",
    "spareparts.view_stockmove",
]
_LOGISTICS = [
    *_VIEW,
    "spareparts.view_supplier",
    "spareparts.view_transfer",
    "spareparts.view_purchaserequest",
    "spareparts.view_purchaseorder",
    "spareparts.view_receipt",
    "spareparts.view_stocktake",
    "spareparts.view_lowstockalert",
    "spareparts.view_unitreturn",
    "spareparts.move_stock",
    "spareparts.reserve_part",
    "spareparts.manage_purchasing",
]


class SparepartsConfig(AppConfig):
    name = "spareparts"
    verbose_name = _("Spare parts")

    def ready(self) -> None:
        from core.roles import extend_role
        from incidents.extensions import detail_panels, job_panels
        from spareparts import event_details, panels, signals  # noqa: F401

        extend_role("logistics", _LOGISTICS)
        extend_role("manager", _LOGISTICS)
        extend_role("dispatcher", [*_VIEW, "spareparts.reserve_part", "spareparts.view_unitreturn"])
        extend_role("technician", ["spareparts.view_part", "spareparts.record_parts_used"])

        event_details.register()
        if panels.incident_panel not in detail_panels:
            detail_panels.append(panels.incident_panel)
        if panels.job_panel not in job_panels:
            job_panels.append(panels.job_panel)
