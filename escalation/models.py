"""Escalation chains (editable data) and the per-incident state the sweep works from.

A chain says, for one grade and one missed target, who is told at which offset from the
deadline. When an incident's clock for a target starts, the chain is copied into an
``EscalationState`` row (the snapshot): later edits of the chain change new incidents only.
The state row carries the next occurrence to fire and its due time; the sweep reads the
partial index on ``next_due_at`` and nothing else. Every occurrence that fired is an
``EscalationFire`` row with its due and fired times, so the lateness of escalation is data.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models import Grade


class Target(models.TextChoices):
    REPORT = "report", _("Report (alert HQ at once)")
    CONFIRM = "confirm", _("Confirm")
    ARRIVE = "arrive", _("Arrive on site")
    RESOLVE = "resolve", _("Resolve")


class EndReason(models.TextChoices):
    """Why a clock stopped: the milestone it waited for happened, or the incident ended."""

    CONFIRM = "confirm", _("Confirmed")
    ARRIVE = "arrive", _("Arrived on site")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Audience(models.TextChoices):
    GROUP_LEADER = "group_leader", _("Leader of the responsible group")
    DISPATCHER_ON_DUTY = "dispatcher_on_duty", _("Dispatcher on duty")
    MANAGER_ON_DUTY = "manager_on_duty", _("Manager on duty")
    ASSIGNEE = "assignee", _("Assigned technician")
    HQ_DEPUTIES = "hq_deputies", _("HQ deputies")
    HQ_COMMANDER = "hq_commander", _("HQ commander")
    HQ = "hq", _("HQ (commander and deputies)")
    LEGAL = "legal", _("Legal and compliance")


class EscalationChain(models.Model):
    """Who is told when an incident of ``grade`` misses ``target``, step by step."""

    name = models.CharField(_("name"), max_length=120)
    grade = models.CharField(_("grade"), max_length=3, choices=Grade.choices)
    target = models.CharField(_("missed target"), max_length=10, choices=Target.choices)
    is_active = models.BooleanField(_("active"), default=True)
    repeat_every_minutes = models.PositiveIntegerField(
        _("then remind every (minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "After the last step, remind its audience again at this interval until "
            "the target is reached. Empty: no reminders."
        ),
    )
    repeat_audiences = models.JSONField(_("reminder audience"), default=list, blank=True)

    class Meta:
        ordering = ["target", "grade"]
        verbose_name = _("escalation chain")
        verbose_name_plural = _("escalation chains")
        constraints = [
            models.UniqueConstraint(
                fields=["grade", "target"],
                condition=Q(is_active=True),
                name="escalation_one_active_chain",
            ),
            models.CheckConstraint(
                condition=Q(repeat_every_minutes__isnull=True) | Q(repeat_every_minutes__gte=1),
                name="escalation_repeat_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def snapshot(self, steps=None) -> dict:
        """The chain as plain data, frozen into each incident's state when its clock starts."""
        steps = self.steps.all() if steps is None else steps
        return {
            "chain": self.pk,
            "name": self.name,
            "steps": [
                {"delay_minutes": s.delay_minutes, "audiences": list(s.audiences)}
                for s in sorted(steps, key=lambda s: s.position)
            ],
            "repeat_every_minutes": self.repeat_every_minutes,
            "repeat_audiences": list(self.repeat_audiences or []),
        }


class EscalationStep(models.Model):
    chain = models.ForeignKey(
        EscalationChain,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("escalation chain"),
    )
    position = models.PositiveSmallIntegerField(_("step"))
    delay_minutes = models.PositiveIntegerField(
        _("minutes after the deadline"),
        default=0,
    )
    audiences = models.JSONField(_("who is told"), default=list)

    class Meta:
        ordering = ["chain", "position"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="escalation_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.position}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        bad = [a for a in self.audiences or [] if a not in Audience.values]
        if bad or not self.audiences:
            raise ValidationError({"audiences": _("Choose from: %s") % ", ".join(Audience.values)})


class EscalationState(models.Model):
    """One incident's clock for one target: the chain snapshot and the next occurrence."""

    # db_index=False: the unique escalation_state_once (incident, target) leads with it.
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="escalation_states",
        db_index=False,
    )
    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    chain = models.ForeignKey(
        EscalationChain,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalation chain"),
    )
    snapshot = models.JSONField(_("chain snapshot"), default=dict)
    deadline = models.DateTimeField(_("deadline"))
    started_at = models.DateTimeField(_("started at"))
    # Occurrences are numbered from 1: the chain's steps, then its reminders.
    next_seq = models.PositiveIntegerField(default=1, verbose_name=_("next occurrence"))
    next_due_at = models.DateTimeField(_("next step due"), null=True, blank=True)
    fired_count = models.PositiveIntegerField(default=0, verbose_name=_("times fired"))
    # The occurrence that fired last (a catch-up supersedes some, so not next_seq - 1).
    last_fired_seq = models.PositiveIntegerField(
        default=0, db_default=0, verbose_name=_("last occurrence fired")
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(
        _("ended because"), max_length=20, blank=True, choices=EndReason.choices
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["incident", "started_at"]
        verbose_name = _("escalation state")
        verbose_name_plural = _("escalation states")
        constraints = [
            models.UniqueConstraint(fields=["incident", "target"], name="escalation_state_once"),
        ]
        indexes = [
            # The sweep's only read: what is due. Its size is the number of running clocks.
            models.Index(
                fields=["next_due_at"],
                name="escalation_due",
                condition=Q(next_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.target}"


class Outcome(models.TextChoices):
    FIRED = "fired", _("Fired")
    SUPERSEDED = "superseded", _("Superseded")


class SupersededReason(models.TextChoices):
    CATCH_UP = "catch_up", _("missed while escalation was not running; caught up at once")


class EscalationFire(models.Model):
    """The ledger: one row per occurrence of a clock, when it was due and what became of it.

    ``fired``: it was sent at ``fired_at``. ``superseded``: it was missed while the sweep was
    not running (an outage, a restart) and, when the sweep caught up, the occurrence
    ``superseded_by`` was fired in its place (``fired_at`` is then when that was decided);
    nothing was sent for it. Either way an occurrence has exactly one row.
    """

    state = models.ForeignKey(
        EscalationState,
        on_delete=models.CASCADE,
        related_name="fires",
        verbose_name=_("escalation clock"),
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="escalation_fires",
    )
    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    seq = models.PositiveIntegerField(_("occurrence"))
    level = models.PositiveSmallIntegerField(_("level"))
    is_reminder = models.BooleanField(_("reminder"), default=False)
    due_at = models.DateTimeField(_("due"))
    fired_at = models.DateTimeField(_("fired"))
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=Outcome.choices,
        default=Outcome.FIRED,
        db_default=Outcome.FIRED,
    )
    superseded_by = models.PositiveIntegerField(
        _("superseded by occurrence"), null=True, blank=True
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=SupersededReason.choices, blank=True, db_default=""
    )

    class Meta:
        ordering = ["incident", "fired_at", "id"]
        verbose_name = _("escalation step fired")
        verbose_name_plural = _("escalation steps fired")
        constraints = [
            # The last line of defence of "once per step": a second claim cannot commit.
            models.UniqueConstraint(fields=["state", "seq"], name="escalation_fire_once"),
        ]
        indexes = [
            models.Index(fields=["incident", "fired_at"], name="escalation_fire_incident"),
            models.Index(fields=["fired_at"], name="escalation_fire_time"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.target}#{self.seq}"

    @property
    def step_key(self) -> str:
        return f"{self.target}:{self.seq}"

    @property
    def late_seconds(self) -> float:
        return (self.fired_at - self.due_at).total_seconds()


class SweepRun(models.Model):
    """When the sweep last completed (one row, id 1): /readyz says not ready when it is
    older than three sweep intervals (escalation/health.py)."""

    id = models.PositiveSmallIntegerField(_("ID"), primary_key=True, default=1)
    finished_at = models.DateTimeField(_("finished at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    fired = models.PositiveIntegerField(_("steps fired"), default=0)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")

    def __str__(self) -> str:
        return f"sweep at {self.finished_at:%Y-%m-%d %H:%M:%S}"
