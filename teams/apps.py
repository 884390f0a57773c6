from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Managers keep the roster of every team and say which centre is out of action; the
# dispatchers read the roster.
_ROSTER = [
    "teams.view_dutyshift",
    "teams.add_dutyshift",
    "teams.change_dutyshift",
    "teams.delete_dutyshift",
    "teams.change_team",
]


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("teams")

    def ready(self) -> None:
        from core import refcache
        from core.roles import extend_role
        from teams.models import Team

        refcache.invalidate_on(Team)
        extend_role("manager", _ROSTER)
        extend_role("dispatcher", ["teams.view_dutyshift"])
