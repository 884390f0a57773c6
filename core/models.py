"""Model mixins shared by the apps, and the reference-data version (core.refcache)."""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An append-only row (timeline event, stock move) was to be changed or deleted."""


if TYPE_CHECKING:
    # What the mixins below are mixed into (a plain ``object`` at run time).
    _Model = models.Model
else:
    _Model = object


class AppendOnlyMixin(_Model):
    """Rows are inserted once and never updated or deleted through the ORM."""

    append_only_label = "Rows"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError(f"{self.append_only_label} are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.append_only_label} are append-only")


def in_active_language(name: str, name_zh: str) -> str:
    """``name_zh`` when the active language is Chinese and there is one, else ``name``."""
    if name_zh and (get_language() or "").startswith("zh"):
        return name_zh
    return name


class BilingualNameMixin:
    """Reference data named in English (``name``) and Chinese (``name_zh``); ``label`` is
    the one for the active language."""

    name: str
    name_zh: str

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_active_language(self.name, self.name_zh)


class ReferenceVersion(models.Model):
    """One row: bumped in the transaction of every change to cached reference data, so
    each process knows when its copy (core.refcache) is out of date."""

    n = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("reference data version")
        verbose_name_plural = _("reference data versions")

    def __str__(self) -> str:
        return str(self.n)


class BeatLease(models.Model):
    """Who may run the periodic schedule (core.beat): one row per schedule. A beat holds it
    until ``expires_at`` and renews it; another takes it over only after it expired, and
    each takeover increments ``token`` (the fencing token)."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    token = models.BigIntegerField(_("fencing token"), default=0)
    acquired_at = models.DateTimeField(_("acquired at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("beat lease")
        verbose_name_plural = _("beat leases")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '-'} #{self.token}"
