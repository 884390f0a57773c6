from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "field"
    verbose_name = _("Field work")

    def ready(self) -> None:
        from field import panels
        from incidents.extensions import detail_panels, job_panels

        detail_panels.append(panels.field_panel)
        job_panels.append(panels.navigation_panel)
