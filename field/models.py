"""What the technician's phone sent: each synced action, and each technician's last
position. Coordinates are WGS-84 (field/geo.py says which system each field holds)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionKind(models.TextChoices):
    ARRIVE = "arrive", _("Arrival")
    NOTE = "note", _("Note")
    PHOTO = "photo", _("Photo")
    PART_USED = "part_used", _("Part used")
    RESOLVE = "resolve", _("Resolution")
    SIGN_OFF = "sign_off", _("Customer sign-off")


class Outcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    CONFLICT = "conflict", _("Not applied: the job changed")


class PositionStatus(models.TextChoices):
    OK = "ok", _("Position recorded")
    DENIED = "denied", _("Position refused by the technician")
    UNAVAILABLE = "unavailable", _("Position unavailable")
    NONE = "none", _("No position asked")


class SyncedAction(models.Model):
    """One action the phone queued (perhaps offline) and the sync endpoint answered.

    Unique on (user, key): the phone's idempotency key, so a retried sync finds the answer
    it was given and never applies the action twice. Kept for good (unlike the API's
    24-hour ``IdempotencyRecord``): a phone may stay offline for days and the dispatcher
    reads the device and server times from here. Written in the same transaction as the
    action's effect; a refused (invalid) action leaves no row.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("idempotency key"), max_length=64)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the action as first sent
    kind = models.CharField(_("action"), max_length=16, choices=ActionKind.choices)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="synced_actions",
        verbose_name=_("incident"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # A conflict's reason, as a message id of field.messages and its parameters (worded in
    # the reader's language when shown).
    message = models.CharField(max_length=40, blank=True)
    device_at = models.DateTimeField(_("time on the phone"))
    received_at = models.DateTimeField(_("time received"))
    acted_at = models.DateTimeField(_("time recorded"))  # device time, bounded (services)
    time_rule = models.CharField(_("time rule applied"), max_length=24, blank=True)
    position_status = models.CharField(
        _("position"), max_length=16, choices=PositionStatus.choices, default=PositionStatus.NONE
    )
    latitude = models.DecimalField(
        _("latitude (WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude (WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(
        _("distance from the reported location (m)"), null=True, blank=True
    )
    far = models.BooleanField(_("far from the reported location"), default=False)
    result = models.JSONField(default=dict, blank=True)  # e.g. {"photo": 12}

    class Meta:
        verbose_name = _("synced field action")
        verbose_name_plural = _("synced field actions")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="field_action_user_key_unique"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__range=(-90, 90)),
                name="field_action_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__range=(-180, 180)),
                name="field_action_longitude_range",
            ),
        ]
        indexes = [models.Index(fields=["incident", "acted_at"], name="field_action_incident")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class LastPosition(models.Model):
    """A technician's last known position (the dispatcher's map), one row per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="field_position",
        verbose_name=_("user"),
    )
    latitude = models.DecimalField(_("latitude (WGS-84)"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude (WGS-84)"), max_digits=9, decimal_places=6)
    accuracy_m = models.FloatField(_("accuracy (m)"))
    at = models.DateTimeField(_("time on the phone"))
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident"),
    )

    class Meta:
        verbose_name = _("technician's last position")
        verbose_name_plural = _("technicians' last positions")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.latitude},{self.longitude}"
