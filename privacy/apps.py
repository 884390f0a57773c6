from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("customer privacy")

    def ready(self) -> None:
        from core import roles
        from incidents import extensions
        from privacy import panels

        clear = ["privacy.view_customer_data"]
        roles.extend_role(roles.DISPATCHER, clear)
        # Integration accounts do the desk's work by API (a CRM reports and follows up).
        roles.extend_role(roles.INTEGRATION, clear)
        roles.extend_role(
            roles.MANAGER,
            [*clear, "privacy.view_reveallog", "privacy.view_access_report"],
        )
        roles.extend_role(roles.TECHNICIAN, ["privacy.view_customer_data_on_job"])
        roles.extend_role(roles.LOGISTICS, ["privacy.reveal_customer_data"])
        roles.extend_role(roles.LEGAL, ["privacy.reveal_customer_data"])
        if panels.detail_panel not in extensions.detail_panels:
            extensions.detail_panels.append(panels.detail_panel)
