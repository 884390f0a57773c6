from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Customer messages")

    def ready(self) -> None:
        from incidents.extensions import detail_panels
        from messaging import panels

        if panels.delivery_log not in detail_panels:
            detail_panels.append(panels.delivery_log)
