from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission

        from core import refcache
        from core.pg_timestamps import use_c_loader
        from core.roles import sync_roles

        # Role permissions are cached per user (core.backends.CachedModelBackend).
        user = get_user_model()
        refcache.invalidate_on(
            Group,
            Permission,
            Group.permissions.through,
            user.groups.through,
            user.user_permissions.through,
        )

        # PostgreSQL timestamps parsed by psycopg's C loader (core/pg_timestamps.py).
        connection_created.connect(use_c_loader, dispatch_uid="core.pg_timestamps")

        # After every app's migrations, so all permissions exist.
        post_migrate.connect(sync_roles, dispatch_uid="core.sync_roles")
