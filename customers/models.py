"""A customer: the person who calls, with their phones, language and consent to messages.

Personal fields are encrypted at rest like the incident's customer (core/crypto.py); a
phone is found by its blind index (an HMAC of the normalised number), never by its text.
A number belongs to one customer (a unique blind index): the intake lookup is one indexed
read and gives one answer; two records of one person are merged (customers.services.merge).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.crypto import (
    BlindIndexedModel,
    BlindIndexedQuerySet,
    BlindIndexField,
    EncryptedCharField,
    blind_index,
)


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class ConsentSource(models.TextChoices):
    """Where a consent was given or revoked."""

    PHONE = "phone", pgettext_lazy("consent source", "on the phone")
    FORM = "form", pgettext_lazy("consent source", "report form")
    SMS = "sms", pgettext_lazy("consent source", "SMS reply")
    WECHAT = "wechat", pgettext_lazy("consent source", "WeChat")
    API = "api", pgettext_lazy("consent source", "API")
    DESK = "desk", pgettext_lazy("consent source", "customer page")
    IMPORT = "import", pgettext_lazy("consent source", "import")


class CustomerQuerySet(BlindIndexedQuerySet):
    def by_phone(self, phone: str) -> CustomerQuerySet:
        """The customer (at most one) whose phone is ``phone``, by its blind index."""
        key = blind_index("phone", phone)
        if not key:
            return self.none()
        return self.filter(phones__number_bidx=key)


class Customer(BlindIndexedModel, models.Model):
    name = EncryptedCharField(_("name"), max_length=120, blank=True)
    name_bidx = BlindIndexField(source="name", kind="name")
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=Language.choices,
        default=Language.ZH_HANS,
    )
    # WeCom customer contact (external_userid) or an official account's openid.
    wechat_id = EncryptedCharField(_("WeChat / WeCom id"), max_length=128, blank=True)

    # Consent to progress messages. None: never asked (messages about the customer's own
    # incident are still service messages); True given; False revoked.
    consent = models.BooleanField(_("consents to messages"), null=True, blank=True)
    consent_at = models.DateTimeField(_("consent changed at"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent source"), max_length=10, choices=ConsentSource.choices, blank=True
    )
    # The "reply TD to unsubscribe" opt-out of SMS (customers.services.opt_out).
    sms_opt_out = models.BooleanField(_("opted out of SMS"), default=False)
    sms_opt_out_at = models.DateTimeField(_("opted out of SMS at"), null=True, blank=True)

    # Set when the customer's personal fields were cleared (privacy's erasure).
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # Set on B when B was merged into A: B keeps no phones or incidents, only this pointer.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("merge_customer", _("Can merge duplicate customers")),
        ]
        indexes = [
            models.Index(
                fields=["name_bidx"], name="customer_name_bidx", condition=~Q(name_bidx="")
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"  # never the name: __str__ ends up in logs

    @property
    def primary_phone(self) -> str:
        phones = list(self.phones.all())
        primary = next((p for p in phones if p.is_primary), phones[0] if phones else None)
        return primary.number if primary else ""

    @property
    def may_message(self) -> bool:
        """Whether non-mandatory messages may be sent (consent not revoked)."""
        return self.consent is not False


class CustomerPhone(BlindIndexedModel, models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="phones", verbose_name=_("customer")
    )
    # Stored as normalised digits (customers.phones.normalise): "13800138000", "01012345678".
    number = EncryptedCharField(_("phone"), max_length=20, blank=True)
    number_bidx = BlindIndexField(source="number", kind="phone")
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = BlindIndexedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("customer phone")
        verbose_name_plural = _("customer phones")
        constraints = [
            # One customer per number: the intake lookup has one answer.
            models.UniqueConstraint(
                fields=["number_bidx"],
                name="customer_phone_unique",
                condition=~Q(number_bidx=""),
            ),
        ]

    def __str__(self) -> str:
        return f"phone #{self.pk}"


class MergeLog(models.Model):
    """Who merged which customer into which, when, and what moved (counts, no personal
    data: the record stays readable after an erasure)."""

    target = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="merges", verbose_name=_("kept")
    )
    source_id_value = models.PositiveBigIntegerField(_("merged customer number"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merged_at = models.DateTimeField(_("merged at"))
    incidents_moved = models.PositiveIntegerField(_("incidents moved"), default=0)
    phones_moved = models.PositiveIntegerField(_("phones moved"), default=0)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")

    def __str__(self) -> str:
        return f"#{self.source_id_value} -> #{self.target_id}"
