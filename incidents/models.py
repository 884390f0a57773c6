import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.crypto import BlindIndexedModel, BlindIndexedQuerySet, BlindIndexField, EncryptedCharField
from core.models import AppendOnlyMixin, BilingualNameMixin
from incidents.querysets import IncidentQuerySet
from teams.models import RESPONSE_GROUP_KINDS, TeamKind


class Grade(models.TextChoices):
    I = "I", _("Level I (major)")  # noqa: E741
    II = "II", _("Level II (significant)")
    III = "III", _("Level III (general)")


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPATCHED = "dispatched", _("Dispatched")
    ON_SITE = "on_site", _("On site")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.REPORTED, Status.CONFIRMED, Status.DISPATCHED, Status.ON_SITE)


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WEB = "web", _("Web")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")


class ServiceMode(models.TextChoices):
    ON_SITE_REPAIR = "on_site_repair", _("On-site repair")
    RETURN_TO_FACTORY = "return_to_factory", _("Return-to-factory repair")
    PATROL = "patrol", _("Patrol inspection and repair")
    REMOTE_SUPPORT = "remote_support", _("Remote technical support (7x24)")
    TRAINING = "training", _("Technical training")
    ACCOMPANYING = "accompanying", _("Accompanying support")
    UNIT_REPLACEMENT = "unit_replacement", _("Emergency: whole-unit temporary replacement")
    MODULE_SWAP = "module_swap", _("Emergency: module swap")


class Category(BilingualNameMixin, models.Model):
    """An incident category (事件分类). Data, editable by admins."""

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    owning_team_kind = models.CharField(
        _("owning group"),
        max_length=20,
        choices=TeamKind.choices,
        default=TeamKind.TECH_SUPPORT,
        help_text=_("Handles Level III incidents of this category."),
    )
    concerned_team_kinds = models.JSONField(
        _("groups concerned"),
        default=list,
        blank=True,
        help_text=_("Response groups given a directive for Level II incidents."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        valid = {kind.value for kind in RESPONSE_GROUP_KINDS}
        bad = [k for k in self.concerned_team_kinds or [] if k not in valid]
        if bad:
            raise ValidationError({"concerned_team_kinds": _("Unknown group kinds: %s") % bad})


class ResponsePolicy(models.Model):
    """Targets per grade, in minutes from the report. Confirm defaults to 30 for every grade."""

    grade = models.CharField(_("grade"), max_length=3, choices=Grade.choices, unique=True)
    confirm_minutes = models.PositiveIntegerField(
        _("confirm within (minutes)"), validators=[MinValueValidator(1)]
    )
    arrive_minutes = models.PositiveIntegerField(
        _("arrive on site within (minutes)"), validators=[MinValueValidator(1)]
    )
    resolve_minutes = models.PositiveIntegerField(
        _("resolve within (minutes)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["grade"]
        verbose_name = _("response policy")
        verbose_name_plural = _("response policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirm_minutes__lte=models.F("arrive_minutes"))
                & Q(arrive_minutes__lte=models.F("resolve_minutes")),
                name="policy_targets_ordered",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_grade_display())


class IncidentCustomerQuerySet(BlindIndexedQuerySet, IncidentQuerySet):
    """IncidentQuerySet whose ``update()``/``bulk_update()`` keep the customer's blind
    indexes in step with the encrypted customer fields (core/crypto.py)."""


class Incident(BlindIndexedModel, models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("category")
    )
    grade = models.CharField(_("grade"), max_length=3, choices=Grade.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REPORTED
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.HOTLINE
    )
    service_mode = models.CharField(
        _("service mode"), max_length=20, choices=ServiceMode.choices, blank=True
    )
    # Encrypted at rest (core/crypto.py): plain strings in Python, ciphertext in the
    # database. Exact search by phone or name compares the blind indexes (keyed hashes of
    # the normalised value), which every save path keeps in step.
    customer_name = EncryptedCharField(_("customer"), max_length=120, blank=True)
    customer_phone = EncryptedCharField(_("customer phone"), max_length=40, blank=True)
    customer_name_bidx = BlindIndexField(source="customer_name", kind="name")
    customer_phone_bidx = BlindIndexField(source="customer_phone", kind="phone")
    # The customer record (customers/): linked at intake from the phone. PROTECT: a
    # customer with incidents is never deleted (erasure clears its fields, a merge moves
    # its incidents first), so an incident's history never loses its customer silently.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="incidents",
        null=True,
        blank=True,
        verbose_name=_("customer record"),
    )
    asset_ref = models.CharField(_("VIN / serial number"), max_length=64, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    impact_scope = models.TextField(_("scope of impact"), blank=True)
    initial_handling = models.TextField(_("done so far"), blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reported_incidents",
        null=True,
        blank=True,
        verbose_name=_("logged by"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_incidents",
        null=True,
        blank=True,
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.PROTECT,
        related_name="incidents",
        null=True,
        blank=True,
        verbose_name=_("team"),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    cancel_reason = models.TextField(_("cancel reason"), blank=True)

    reported_at = models.DateTimeField(_("reported at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    confirm_deadline = models.DateTimeField(_("confirm by"))
    arrive_deadline = models.DateTimeField(_("arrive by"))
    resolve_deadline = models.DateTimeField(_("resolve by"))
    # The earliest deadline still ahead of the open milestone; NULL once closed. The
    # overdue filter and the escalation sweep read this one indexed column.
    next_deadline = models.DateTimeField(_("next deadline"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = IncidentCustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [
            ("report_incident", _("Can log incident reports")),
            ("confirm_incident", _("Can confirm incidents")),
            ("dispatch_incident", _("Can dispatch incidents")),
            ("work_incident", _("Can mark arrival and resolution of any incident")),
            ("close_incident", _("Can close and cancel incidents")),
            ("regrade_incident", _("Can regrade incidents")),
            ("view_all_incidents", _("Can see every incident")),
        ]
        indexes = [
            models.Index(fields=["status", "-reported_at"], name="incident_status_reported"),
            models.Index(fields=["status", "confirm_deadline"], name="incident_status_confirm"),
            models.Index(fields=["-reported_at", "-id"], name="incident_reported"),
            # The open incidents newest first (the desk's working lists), holding what the
            # desk counts: a few % of all rows, read without the table (bench/pages).
            models.Index(
                fields=["-reported_at", "-id"],
                include=["next_deadline", "status", "grade", "escalation_level"],
                name="incident_open_reported",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["asset_ref"], name="incident_asset"),
            models.Index(
                fields=["next_deadline"],
                name="incident_next_deadline",
                condition=Q(next_deadline__isnull=False),
            ),
            models.Index(fields=["assignee", "status"], name="incident_assignee_status"),
            models.Index(fields=["team", "status"], name="incident_team_status"),
            models.Index(fields=["external_ref"], name="incident_external_ref"),
            # The list's sort orders (ties broken by id; one index serves both directions).
            models.Index(fields=["confirm_deadline", "id"], name="incident_confirm_deadline"),
            models.Index(fields=["grade", "id"], name="incident_grade"),
            # A caller's incidents by exact phone or name (blind index), newest first.
            models.Index(
                fields=["customer_phone_bidx", "-reported_at"],
                name="incident_phone_bidx",
                condition=~Q(customer_phone_bidx=""),
            ),
            models.Index(
                fields=["customer_name_bidx", "-reported_at"],
                name="incident_name_bidx",
                condition=~Q(customer_name_bidx=""),
            ),
            # A technician's recently resolved jobs (My jobs), newest first.
            models.Index(
                fields=["assignee", "-resolved_at"],
                name="incident_assignee_resolved",
                condition=Q(resolved_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__in=["I", "II", "III"]), name="incident_grade_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="incident_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="incident_resolution_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def current_target(self) -> tuple[str, object] | None:
        """(target name, deadline) of the milestone this incident is waiting for, if any."""
        if self.status == Status.REPORTED:
            return ("confirm", self.confirm_deadline)
        if self.status in (Status.CONFIRMED, Status.DISPATCHED):
            return ("arrive", self.arrive_deadline)
        if self.status == Status.ON_SITE:
            return ("resolve", self.resolve_deadline)
        return None

    def is_overdue(self, now) -> bool:
        target = self.current_target()
        return bool(target and target[1] < now)


class EventKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPATCHED = "dispatched", _("Dispatched")
    ARRIVED = "arrived", _("Arrived on site")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    NOTE = "note", _("Note")
    REGRADED = "regraded", _("Regraded")
    UPDATED = "updated", _("Details changed")
    ESCALATED = "escalated", _("Escalated")
    DIRECTIVE = "directive", _("Directive issued")
    DIRECTIVE_UPDATED = "directive_updated", _("Directive progress")
    PHOTO = "photo", _("Photo added")
    PART_RESERVED = "part_reserved", _("Part reserved")
    PART_RELEASED = "part_released", _("Part released")
    PART_ISSUED = "part_issued", _("Part issued")
    PART_RETURNED = "part_returned", _("Part returned")
    NOTIFIED = "notified", _("Notified")


def render_said(msgid: str, params: dict) -> str:
    """The system's words of a timeline event in the active language (see
    ``incidents.services.timeline.Said``)."""
    return gettext(msgid) % params if params else gettext(msgid)


class IncidentEvent(AppendOnlyMixin, models.Model):
    """One entry of an incident's append-only timeline: the audit trail."""

    append_only_label = "Incident events"

    # db_index=False: event_timeline (incident, created_at, id) serves lookups by incident.
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    # db_index=False: event_actor indexes only the events a person made (the system makes
    # the escalations and notifications).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("time"), db_index=False)
    data = models.JSONField(_("data"), default=dict, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        indexes = [
            models.Index(fields=["incident", "created_at", "id"], name="event_timeline"),
            models.Index(fields=["actor"], name="event_actor", condition=Q(actor__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def display_text(self) -> str:
        """``text`` in the reader's language when the system wrote it (``data["said"]``)."""
        said = self.data.get("said") if isinstance(self.data, dict) else None
        if said:
            try:
                msgid, params = said
                return render_said(msgid, params)
            except (TypeError, ValueError, KeyError):
                pass
        return self.text


class DirectiveStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Directive(models.Model):
    """A task HQ gives one response group for an incident (指令下达)."""

    # No single-column indexes: directive_one_per_team (incident, team) and
    # directive_team_list (team, status, due_at) lead with each.
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="directives",
        db_index=False,
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.PROTECT,
        related_name="directives",
        verbose_name=_("group"),
        db_index=False,
    )
    instruction = models.TextField(_("instruction"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=DirectiveStatus.choices, default=DirectiveStatus.OPEN
    )
    created_at = models.DateTimeField(_("issued at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        indexes = [models.Index(fields=["team", "status", "due_at"], name="directive_team_list")]
        constraints = [
            models.UniqueConstraint(fields=["incident", "team"], name="directive_one_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.instruction[:40]}"


class DirectiveNote(models.Model):
    """Progress a group reports back on its directive (信息反馈)."""

    directive = models.ForeignKey(
        Directive, on_delete=models.CASCADE, related_name="notes", verbose_name=_("directive")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("progress"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("directive progress note")
        verbose_name_plural = _("directive progress notes")

    def __str__(self) -> str:
        return self.text[:60]


# The longest free text (description, notes, resolution, reasons) a form or the API takes.
TEXT_MAX_LENGTH = 5000
# Long texts of the report, capped at TEXT_MAX_LENGTH by the forms and the API alike.
REPORT_LONG_TEXTS = ("description", "impact_scope", "initial_handling")

# What a stored photo may be called: the uploaded name's extension if it is one of these.
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif")


def photo_path(instance: "IncidentPhoto", filename: str) -> str:
    """A random name in the incident's folder: the camera's name (IMG_0001.jpg) would make
    the URL guessable and tells nothing the record does not."""
    extension = Path(filename).suffix.lower()
    if extension not in PHOTO_EXTENSIONS:
        extension = ""
    return f"incidents/{instance.incident_id}/{uuid.uuid4().hex}{extension}"


class IncidentPhoto(models.Model):
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class SavedFilterQuerySet(models.QuerySet):
    def save_for(self, user, name: str, query: str) -> "SavedFilter":
        """Save ``query`` (the list page's filters) as ``name``; the same name replaces."""
        saved, _created = self.update_or_create(
            user=user, name=name.strip(), defaults={"query": query}
        )
        return saved


class SavedFilter(models.Model):
    """A user's named set of incident-list filters, kept as the list's query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_incident_filters",
        verbose_name=_("user"),
        db_index=False,  # saved_filter_name (user, name) leads with it
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    objects = SavedFilterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_filter_name"),
        ]

    def __str__(self) -> str:
        return self.name
