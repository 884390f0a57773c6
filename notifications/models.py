"""Notifications: preferences, webhook endpoints, the outbox and its delivery attempts.

``Notification`` is the outbox. Its unique key (incident, step, recipient, channel) makes a
second copy impossible (a retry or a racing worker inserts nothing); delivery is at least
once per row, and the key travels in webhook payloads and headers so receivers drop repeats.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedCharField
from notifications import targets


class NotificationPreference(models.Model):
    """Per-user settings: the language messages are written in and whether to email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_pref",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    email_enabled = models.BooleanField(_("send email"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class EndpointKind(models.TextChoices):
    GENERIC = "generic", _("Generic JSON (HMAC-SHA256 signed)")
    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom (企业微信) robot")
    FEISHU = "feishu", _("Feishu / Lark robot")


class IntegrationEvent(models.TextChoices):
    CREATED = "created", _("Incident created")
    CHANGED = "changed", _("Incident changed")
    ESCALATED = "escalated", _("Incident escalated")
    RESOLVED = "resolved", _("Incident resolved")
    # A customer message (messaging) handed to its provider, or given up (issue 15).
    MESSAGE_DELIVERED = "message_delivered", _("Customer message delivered")
    MESSAGE_FAILED = "message_failed", _("Customer message failed")


class WebhookEndpoint(models.Model):
    """An outbound webhook. Owned by a team or a user, it receives the escalation alerts of
    that team or user; with no owner it is an integration receiving the events it
    subscribes to."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("format"), max_length=10, choices=EndpointKind.choices, default=EndpointKind.GENERIC
    )
    url = models.URLField(_("URL"), max_length=500)
    # Encrypted at rest (core/crypto.py): a dump of the database signs nothing.
    secret = EncryptedCharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("HMAC key (generic) or the robot's signing secret (DingTalk, Feishu)."),
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("team"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("user"),
    )
    events = models.JSONField(
        _("integration events"),
        default=list,
        blank=True,
        help_text=_("For integrations (no team, no user): created, changed, escalated, resolved."),
    )
    language = models.CharField(
        _("message language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(user__isnull=True),
                name="webhook_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        bad = [e for e in self.events or [] if e not in IntegrationEvent.values]
        if bad:
            raise ValidationError({"events": _("Unknown events: %s") % ", ".join(bad)})
        if self.url and targets.refusal(self.url, resolve=False):
            raise ValidationError(
                {
                    "url": _(
                        "Webhooks may not reach this address: it is inside the network "
                        "(loopback, private, link-local, multicast or reserved)."
                    )
                }
            )


class Channel(models.TextChoices):
    INAPP = "inapp", _("In-app")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


def notification_key(row: dict) -> str:
    """``incident:step:recipient:channel`` (incident empty when there is none)."""
    incident = row["incident_id"] if row["incident_id"] is not None else ""
    return f"{incident}:{row['step']}:{row['recipient']}:{row['channel']}"


class Notification(models.Model):
    """One message to one recipient on one channel about one step of one incident, or about
    something that concerns no incident (a low-stock alert: ``incident`` is empty)."""

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # "confirm:2" (an escalation occurrence), "event:123" (an integration event),
    # "low_stock:7" (a low-stock alert), ...
    step = models.CharField(_("step"), max_length=40)
    # "u<user id>" or "e<endpoint id>"
    recipient = models.CharField(_("recipient"), max_length=24)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    event = models.CharField(_("event"), max_length=20, default="escalated")
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    language = models.CharField(_("language"), max_length=10, default="en")
    # What the message says, as data: rendered in the reader's language when it is shown or
    # sent (notifications.messages.render). ``title``/``body`` keep the text as first
    # written, in ``language``: the fallback for rows without a message id.
    message = models.CharField(_("message id"), max_length=40, blank=True, default="")
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    status = models.CharField(
        _("delivery"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "step", "recipient", "channel"], name="notification_once"
            ),
            # Without an incident, the step alone names what it is about.
            models.UniqueConstraint(
                fields=["step", "recipient", "channel"],
                condition=Q(incident__isnull=True),
                name="notification_once_unlinked",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["user", "-created_at"],
                name="notification_inbox",
                condition=Q(channel="inapp"),
            ),
            models.Index(
                fields=["user"],
                name="notification_unread",
                condition=Q(channel="inapp", read_at__isnull=True),
            ),
            models.Index(fields=["incident", "created_at"], name="notification_incident"),
        ]

    def __str__(self) -> str:
        return self.key

    def rendered(self, language: str | None = None) -> tuple[str, str]:
        """(title, body) in ``language`` (default: the active one)."""
        from notifications.messages import render

        return render(self, language)

    @property
    def shown_title(self) -> str:
        return self.rendered()[0]

    @property
    def shown_body(self) -> str:
        return self.rendered()[1]

    @property
    def key(self) -> str:
        """The idempotency key receivers use to drop a repeated delivery."""
        return notification_key(
            {
                "incident_id": self.incident_id,
                "step": self.step,
                "recipient": self.recipient,
                "channel": self.channel,
            }
        )


class DeliveryAttempt(models.Model):
    """Evidence: every try to deliver a notification and what came of it."""

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="delivery_attempts",
        verbose_name=_("notification"),
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    ok = models.BooleanField(_("delivered"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["notification", "number", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.notification_id} #{self.number} {'ok' if self.ok else 'failed'}"
