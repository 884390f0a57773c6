"""What the customer can follow: the tracking link, the expected arrival (ETA) with its
history, and the outcome of a complaint once customer service approved its text."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TrackingLink(models.Model):
    """The customer's link to their incident's progress page: one per incident, behind an
    unguessable token. It expires TRACKING_LINK_DAYS after the incident closes."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="tracking_link",
        verbose_name=_("incident"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("tracking link")
        verbose_name_plural = _("tracking links")

    def __str__(self) -> str:
        return str(self.incident_id)


class Eta(models.Model):
    """The incident's current expected arrival (the latest of its ETA changes).

    ``prompted_at`` is set once when the ETA passed with nobody on site and the dispatcher
    was asked to update it; a new ETA clears it (the new one may lapse too)."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="eta",
        verbose_name=_("incident"),
    )
    eta = models.DateTimeField(_("expected arrival"))
    set_at = models.DateTimeField(_("set at"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    prompted_at = models.DateTimeField(_("dispatcher prompted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expected arrival")
        verbose_name_plural = _("expected arrivals")
        indexes = [
            # The beat's read: ETAs not yet prompted, by time (a few rows, whatever the
            # number of incidents).
            models.Index(
                fields=["eta"], name="eta_unprompted", condition=Q(prompted_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.eta:%Y-%m-%d %H:%M}"


class EtaChange(models.Model):
    """One setting of an incident's ETA: who, when, from what to what."""

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="eta_changes",
        verbose_name=_("incident"),
    )
    old_eta = models.DateTimeField(_("previous ETA"), null=True, blank=True)
    new_eta = models.DateTimeField(_("new ETA"))
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("ETA change")
        verbose_name_plural = _("ETA changes")

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.new_eta:%Y-%m-%d %H:%M}"


class ComplaintOutcome(models.Model):
    """The outcome of a complaint as the customer is told it: written, then approved (and
    sent) by customer service."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="complaint_outcome",
        verbose_name=_("incident"),
    )
    text = models.TextField(_("outcome for the customer"))
    approved_at = models.DateTimeField(_("approved at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )

    class Meta:
        verbose_name = _("complaint outcome")
        verbose_name_plural = _("complaint outcomes")
        permissions = [("approve_complaintoutcome", "Can approve a complaint outcome")]

    def __str__(self) -> str:
        return str(self.incident_id)
