from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("accounts")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from accounts.models import ApiKey
        from core import refcache

        # accounts.services.key_for() caches keys with their users. A login saves only
        # last_login, which no cached value reads; it must not drop every process's copy.
        refcache.invalidate_on(ApiKey)
        refcache.invalidate_on(get_user_model(), ignore=frozenset({"last_login"}))

        # The idle clock starts at login, in the session the login saves anyway, so the
        # first page after it does not save the session again.
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="accounts.start_idle_clock")
