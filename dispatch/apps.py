from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_SKILLS = [
    "dispatch.view_technicianskill",
    "dispatch.add_technicianskill",
    "dispatch.change_technicianskill",
    "dispatch.delete_technicianskill",
]


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        from core.roles import extend_role

        extend_role("manager", _SKILLS)
        extend_role("dispatcher", ["dispatch.view_technicianskill"])
