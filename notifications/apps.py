from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import refcache
        from incidents.extensions import detail_panels
        from notifications import panels
        from notifications.models import WebhookEndpoint

        refcache.invalidate_on(WebhookEndpoint)
        if panels.incident_panel not in detail_panels:
            detail_panels.append(panels.incident_panel)
