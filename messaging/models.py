"""The customer-message outbox and its delivery log.

``CustomerMessage`` is one message to one customer address on one channel. Its unique key
(incident, key, channel, recipient) makes a second copy impossible: ``tell_customer``
inserts with ON CONFLICT DO NOTHING, so a repeated call (a retried hook, a double click)
writes nothing. ``recipient`` is a keyed hash of the address (the blind index of a phone),
so the key holds no personal data; the address itself is encrypted (core/crypto.py).
Every try to hand a message to its provider is a ``MessageAttempt``.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.crypto import EncryptedCharField
from messaging.kinds import KINDS


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")


class Status(models.TextChoices):
    PENDING = "pending", pgettext_lazy("customer message", "Pending")
    SENDING = "sending", pgettext_lazy("customer message", "Sending")
    SENT = "sent", pgettext_lazy("customer message", "Sent")
    FAILED = "failed", pgettext_lazy("customer message", "Failed")
    SUPPRESSED = "suppressed", pgettext_lazy("customer message", "Not sent")


class Reason(models.TextChoices):
    """Why a message waits, was not sent or failed (our words; the provider's are kept
    apart, in ``provider_reason``)."""

    QUIET_HOURS = "quiet_hours", _("Quiet hours: waits until morning")
    RATE_LIMIT = "rate_limit", _("Too many SMS to this phone: waits")
    OPTED_OUT = "opted_out", _("The customer unsubscribed")
    CONSENT_REVOKED = "consent_revoked", _("The customer revoked consent to messages")
    NO_TEMPLATE = "no_template", _("No approved template for this message")
    REFUSED = "refused", _("Refused by the provider")
    PROVIDER_ERROR = "provider_error", _("Provider unavailable")


KIND_CHOICES = [(k.name, k.label) for k in KINDS.values()]


class CustomerMessage(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="customer_messages",
        verbose_name=_("incident"),
    )
    # The occasion, named by the caller ("resolved", "eta:3"): one message per occasion.
    key = models.CharField(_("occasion"), max_length=80)
    kind = models.CharField(_("message"), max_length=20, choices=KIND_CHOICES)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    provider = models.CharField(_("provider"), max_length=20)
    # A keyed hash of the address: the unique key and the rate limit compare it.
    recipient = models.CharField(_("recipient"), max_length=40)
    address = EncryptedCharField(_("address"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    legally_required = models.BooleanField(_("legally required"), default=False)
    # The incident is in a safety category: an SMS may go out during quiet hours.
    urgent = models.BooleanField(_("safety"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    provider_reason = models.CharField(_("provider's reason"), max_length=500, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Bumped by every claim: the claim a worker holds (a stale worker's writes match nothing).
    claims = models.PositiveIntegerField(_("claims"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("customer message")
        verbose_name_plural = _("customer messages")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "key", "channel", "recipient"], name="customer_message_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="customer_message_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(
                fields=["recipient", "sent_at"],
                name="customer_message_sms_sent",
                condition=Q(channel="sms", status="sent"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.key}:{self.channel}"

    @property
    def text(self) -> str:
        from messaging.kinds import render

        return render(self.kind, self.language, self.params)


class MessageAttempt(models.Model):
    """Evidence: every try to hand a message to its provider and what came of it."""

    message = models.ForeignKey(
        CustomerMessage,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("customer message"),
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    ok = models.BooleanField(_("accepted"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    code = models.CharField(_("provider's code"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["message", "number", "id"]
        verbose_name = _("message attempt")
        verbose_name_plural = _("message attempts")

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number} {'ok' if self.ok else 'failed'}"


class PhoneOptOut(models.Model):
    """A phone that replied TD (退订) or was unsubscribed by hand: no more SMS to it, except
    legally required ones. Keyed by the phone's blind index (no phone in clear)."""

    phone_bidx = models.CharField(_("phone (blind index)"), max_length=40, unique=True)
    source = models.CharField(_("source"), max_length=40)
    created_at = models.DateTimeField(_("unsubscribed at"))

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d}"
