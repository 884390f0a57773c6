from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("teams")

    def ready(self) -> None:
        from core import refcache
        from teams.models import Team

        refcache.invalidate_on(Team)
