"""Post-event review (事后评估), satisfaction surveys (回访), corrective actions, drills (演练)
and the customer's sign-off at resolution."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.querysets import CorrectiveActionQuerySet
from core.crypto import EncryptedCharField


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Assessment(models.Model):
    """The review of one resolved incident. Handling efficiency is not stored: it is computed
    from the incident's milestone times and deadlines (see ``services.efficiency``)."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="assessment",
        verbose_name=_("incident"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    cause = models.TextField(_("cause analysis"), blank=True)
    customer_feedback = models.TextField(_("customer feedback"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        permissions = [
            ("view_evaluation", _("Can see the periodic evaluation and its exports")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="assessment_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident.number or self.incident_id}"

    @property
    def is_submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class CorrectiveAction(models.Model):
    """A corrective action from an assessment or from a drill finding."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="actions",
        null=True,
        blank=True,
        verbose_name=_("assessment"),
    )
    drill = models.ForeignKey(
        "Drill",
        on_delete=models.CASCADE,
        related_name="actions",
        null=True,
        blank=True,
        verbose_name=_("drill"),
    )
    finding = models.TextField(_("finding"), blank=True)
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [
            models.Index(
                fields=["due_date"],
                name="action_open_due",
                condition=Q(status__in=["open", "in_progress"]),
            ),
            models.Index(fields=["owner", "status"], name="action_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__isnull=False) | Q(drill__isnull=False),
                name="action_has_source",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress", "done", "cancelled"]),
                name="action_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_date < today


class Survey(models.Model):
    """The customer satisfaction survey (回访) of one incident, answered once from a link."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="survey",
        verbose_name=_("incident"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The overall satisfaction (1-5). Surveys answered before the survey had dimensions
    # hold only this; the evaluation's CSAT is its mean.
    rating = models.PositiveSmallIntegerField(
        _("overall satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    response_speed = models.PositiveSmallIntegerField(
        _("response speed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    technician_attitude = models.PositiveSmallIntegerField(
        _("technician's attitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    repair_quality = models.PositiveSmallIntegerField(
        _("repair quality"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)
    # The one reminder (SURVEY_REMINDER_HOURS after the survey, if unanswered).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, rating__isnull=True)
                | Q(answered_at__isnull=False, rating__isnull=False),
                name="survey_answer_complete",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"survey_{name}_1_5",
                )
                for name in ("response_speed", "technician_attitude", "repair_quality")
            ),
        ]
        indexes = [
            # The reminder beat's read: unanswered, not yet reminded, by age.
            models.Index(
                fields=["created_at"],
                name="survey_to_remind",
                condition=Q(answered_at__isnull=True, reminded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident.number or self.incident_id}"

    def is_expired(self, now) -> bool:
        return self.expires_at <= now

    def scores(self) -> list[tuple[str, int | None]]:
        """Each dimension's label and score, overall last (None: not asked then)."""
        return [
            (str(self._meta.get_field(name).verbose_name), getattr(self, name))
            for name in SURVEY_DIMENSIONS
        ]

    def lowest_score(self) -> int | None:
        given = [score for _label, score in self.scores() if score is not None]
        return min(given) if given else None


SURVEY_DIMENSIONS = ("response_speed", "technician_attitude", "repair_quality", "rating")


class TaskKind(models.TextChoices):
    RETURN_VISIT = "return_visit", _("Return visit")
    FOLLOW_UP = "follow_up", _("Follow-up of a low score")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    REFUSED = "refused", _("Refused to talk")


class CustomerTask(models.Model):
    """A call customer service owes a customer: the return visit (回访) of a Level I or II
    incident some days after closing, or the follow-up of a low survey score. One of each
    kind per incident; done when the call's outcome is recorded."""

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="customer_tasks",
        verbose_name=_("incident"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    created_at = models.DateTimeField(_("created at"))
    due_at = models.DateTimeField(_("due at"))
    survey = models.ForeignKey(
        Survey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    outcome = models.CharField(
        _("call outcome"), max_length=20, choices=CallOutcome.choices, blank=True
    )
    satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("customer task")
        verbose_name_plural = _("customer tasks")
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="customer_task_once"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, outcome="")
                | Q(done_at__isnull=False) & ~Q(outcome=""),
                name="customer_task_done_has_outcome",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], name="customer_task_open", condition=Q(done_at__isnull=True)
            ),
            models.Index(fields=["-done_at"], name="customer_task_done"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.incident_id}"


def signature_path(instance: "SignOff | TechnicianSignOff", filename: str) -> str:
    """A random name in the incident's folder (signatures are always PNG): never guessable."""
    return f"signatures/{instance.incident_id}/{uuid.uuid4().hex}.png"


class SignOff(models.Model):
    """The customer's sign-off at resolution: a finger-drawn signature, or why there is none."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="signoff",
        verbose_name=_("incident"),
    )
    # The customer's name: encrypted at rest like the incident's (core/crypto.py).
    signer_name = EncryptedCharField(_("signer's name"), max_length=120, blank=True)
    signature = models.ImageField(_("signature"), upload_to=signature_path, blank=True)
    no_signature_reason = models.TextField(_("why there is no signature"), blank=True)
    signed_at = models.DateTimeField(_("time"))
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("captured by"),
    )

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            models.CheckConstraint(
                condition=(~Q(signature="") & ~Q(signer_name="")) | ~Q(no_signature_reason=""),
                name="signoff_signed_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.signer_name or str(_("no signature"))


class TechnicianSignOff(models.Model):
    """The technician's signature on the service report, given once the resolution is
    written; printed beside the customer's."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="technician_signoff",
        verbose_name=_("incident"),
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("technician"),
    )
    signature = models.ImageField(_("signature"), upload_to=signature_path)
    signed_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("technician's signature")
        verbose_name_plural = _("technicians' signatures")

    def __str__(self) -> str:
        return self.technician.get_full_name() or self.technician.username


class DrillStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Drill(models.Model):
    """An emergency drill (演练): a planned scenario, then its measured response times."""

    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"))
    grade = models.CharField(
        _("simulated grade"),
        max_length=3,
        blank=True,
        choices=[("I", _("Level I")), ("II", _("Level II")), ("III", _("Level III"))],
    )
    scheduled_at = models.DateTimeField(_("date"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="drills",
        blank=True,
        verbose_name=_("participants"),
    )
    teams = models.ManyToManyField(
        "teams.Team", related_name="drills", blank=True, verbose_name=_("groups")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DrillStatus.choices, default=DrillStatus.PLANNED
    )
    findings = models.TextField(_("findings"), blank=True)
    conducted_at = models.DateTimeField(_("conducted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self) -> str:
        return self.title


class MeasureStep(models.TextChoices):
    CONFIRM = "confirm", _("Confirm")
    DISPATCH = "dispatch", _("Dispatch")
    ARRIVE = "arrive", _("Arrive on site")
    RESOLVE = "resolve", _("Resolve")
    OTHER = "other", _("Other")


class DrillMeasurement(models.Model):
    """One measured response time of a drill, against its target."""

    drill = models.ForeignKey(
        Drill, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("drill")
    )
    step = models.CharField(_("step"), max_length=10, choices=MeasureStep.choices)
    label = models.CharField(_("what was measured"), max_length=200, blank=True)
    target_minutes = models.PositiveIntegerField(_("target (minutes)"), null=True, blank=True)
    measured_minutes = models.DecimalField(
        _("measured (minutes)"),
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("drill measurement")
        verbose_name_plural = _("drill measurements")
        constraints = [
            models.CheckConstraint(
                condition=Q(measured_minutes__gte=0), name="measurement_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.measured_minutes}"

    @property
    def met(self) -> bool | None:
        if self.target_minutes is None:
            return None
        return self.measured_minutes <= self.target_minutes
