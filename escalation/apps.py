from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("Escalation")

    def ready(self) -> None:
        from core import refcache
        from escalation import event_details, panels
        from escalation.models import EscalationChain, EscalationStep
        from incidents.extensions import detail_panels

        event_details.register()
        refcache.invalidate_on(EscalationChain, EscalationStep)
        if panels.incident_panel not in detail_panels:
            detail_panels.append(panels.incident_panel)
