from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("incidents")

    def ready(self) -> None:
        from core import refcache
        from incidents import event_details
        from incidents.models import Category, ResponsePolicy

        refcache.invalidate_on(Category, ResponsePolicy)
        event_details.register()
