"""The records of who saw or removed a customer's personal data (PIPL Art. 51, 47, 57).

``RevealLog``: a user who sees the customer's data masked asked to see it in clear, with a
reason. ``AccessLog``: someone received the data in clear (an incident page, an API
response, an export): one row per look, written with a single INSERT. ``Erasure``: the
customer's data of an incident was erased (on request or by retention).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    ALL = "all", _("Name and phone")
    PHONE = "phone", _("Phone")
    NAME = "name", _("Name")


class RevealLog(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("incident"),
    )
    field = models.CharField(_("field"), max_length=8, choices=Field.choices)
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reveal of customer data")
        verbose_name_plural = _("reveals of customer data")
        indexes = [
            # The reveal window of one user on one incident (the incident page).
            models.Index(fields=["user", "incident", "created_at"], name="reveal_window"),
            models.Index(fields=["created_at"], name="reveal_time"),
        ]
        permissions = [
            ("view_customer_data", _("Can see customers' names and phones in clear")),
            (
                "view_customer_data_on_job",
                _("Can see customers' names and phones in clear on their own open jobs"),
            ),
            ("reveal_customer_data", _("Can reveal customers' names and phones with a reason")),
            ("erase_customer_data", _("Can erase customers' personal data")),
            ("view_access_report", _("Can read who accessed customer data")),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.incident_id} · {self.created_at:%Y-%m-%d %H:%M}"


class AccessKind(models.TextChoices):
    PAGE = "page", _("Incident page")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    REVEAL = "reveal", _("Reveal")


class AccessLog(models.Model):
    """Append-only; one index (time) so that the INSERT on every incident page stays cheap."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=8, choices=AccessKind.choices)
    # No foreign key: a row stays readable (and the INSERT checks nothing) whatever
    # happens to the incident later.
    incident_id = models.BigIntegerField(_("incident"), null=True, blank=True)
    # An export: the incidents it held (their ids), how many, and the filters asked for.
    incident_ids = models.JSONField(_("incidents"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("records"), default=1)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access to customer data")
        verbose_name_plural = _("accesses to customer data")
        indexes = [models.Index(fields=["created_at"], name="access_time")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind} · {self.created_at:%Y-%m-%d %H:%M}"


class Erasure(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("incident"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=500)
    # What was removed: {"name": true, "phone": true, "signature": 1, "photos": 3}.
    removed = models.JSONField(_("removed"), default=dict)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("erasure of personal data")
        verbose_name_plural = _("erasures of personal data")

    def __str__(self) -> str:
        return f"{self.incident_id} · {self.created_at:%Y-%m-%d %H:%M}"
