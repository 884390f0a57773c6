from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core.api import fields
        from core.roles import sync_roles

        fields.install()

        # After every app's migrations, so all permissions exist.
        post_migrate.connect(sync_roles, dispatch_uid="core.sync_roles")
