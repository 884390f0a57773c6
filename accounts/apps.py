from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("accounts")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from accounts.models import ApiKey
        from core import refcache

        # accounts.services.key_for() caches keys with their users.
        refcache.invalidate_on(ApiKey, get_user_model())
