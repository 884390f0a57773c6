from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Customer tracking")

    def ready(self) -> None:
        from core import roles
        from incidents import extensions
        from tracking import panels

        desk = ["tracking.view_eta", "tracking.view_etachange", "tracking.view_trackinglink"]
        roles.extend_role(roles.DISPATCHER, desk)
        roles.extend_role(roles.MANAGER, [*desk, "tracking.approve_complaintoutcome"])
        roles.extend_role(
            roles.CUSTOMER_SERVICE,
            [
                *desk,
                "tracking.view_complaintoutcome",
                "tracking.approve_complaintoutcome",
                # Customer service calls customers back: it sees them as the desk does.
                "privacy.view_customer_data",
            ],
        )
        if panels.detail_panel not in extensions.detail_panels:
            extensions.detail_panels.append(panels.detail_panel)
