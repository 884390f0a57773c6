from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BilingualNameMixin, in_active_language
from teams.querysets import DutyShiftQuerySet, MembershipQuerySet, TeamQuerySet


class TeamKind(models.TextChoices):
    HQ = "hq", _("Emergency HQ")
    TECH_SUPPORT = "tech_support", _("Technical support group")
    CUSTOMER_SERVICE = "customer_service", _("Customer service group")
    LOGISTICS = "logistics", _("Logistics group")
    LEGAL = "legal", _("Legal and compliance group")
    SERVICE_CENTRE = "service_centre", _("Service centre")
    PARTNER = "partner", _("External partner")


RESPONSE_GROUP_KINDS = (
    TeamKind.TECH_SUPPORT,
    TeamKind.CUSTOMER_SERVICE,
    TeamKind.LOGISTICS,
    TeamKind.LEGAL,
)


class PartnerService(models.TextChoices):
    TOW = "tow", _("Towing")
    REPAIR = "repair", _("Repair shop")
    OTHER = "other", _("Other service")


class Role(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy")
    MEMBER = "member", _("Member")


class Team(BilingualNameMixin, models.Model):
    """A unit of the command structure: HQ, a response group, a service centre or a partner."""

    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)
    slug = models.SlugField(_("code"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices, db_index=True)
    service_area = models.CharField(_("service area"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Where the team works from (WGS-84, as the incident's coordinates): a service centre's
    # site, a partner's service area centre. Dispatch measures distances from here.
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
    service_radius_km = models.PositiveIntegerField(
        _("service radius (km)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
        help_text=_("A partner serves incidents within this distance of its location."),
    )
    service_regions = models.CharField(
        _("service regions"),
        max_length=300,
        blank=True,
        help_text=_(
            "Comma-separated place names; a partner also serves incidents whose location "
            "names one of them."
        ),
    )
    partner_service = models.CharField(
        _("partner service"), max_length=10, choices=PartnerService.choices, blank=True
    )
    # A service centre out of action (flooded, closed, no power): dispatch skips its people.
    out_of_action_since = models.DateTimeField(_("out of action since"), null=True, blank=True)
    out_of_action_reason = models.CharField(_("out-of-action reason"), max_length=300, blank=True)
    out_of_action_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked out of action by"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="teams",
        blank=True,
        verbose_name=_("members"),
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.label

    @property
    def is_out_of_action(self) -> bool:
        return self.out_of_action_since is not None


class Membership(models.Model):
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(_("title"), max_length=120, blank=True)
    title_zh = models.CharField(_("Chinese title"), max_length=120, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user"),
            # A team has at most one leader (its 组长); deputies and members are unlimited.
            models.UniqueConstraint(
                fields=["team"], condition=Q(role="leader"), name="membership_one_leader"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.get_role_display()}"

    @property
    def title_label(self) -> str:
        """The title in the reader's language (``title_zh`` on Chinese pages when set)."""
        return in_active_language(self.title, self.title_zh)


class DutyShift(models.Model):
    """Who is on duty when: the 24-hour hotline and the 7x24 remote support roster."""

    class Kind(models.TextChoices):
        DISPATCH = "dispatch", _("Hotline dispatcher")
        REMOTE_SUPPORT = "remote_support", _("Remote technical support")
        MANAGER = "manager", _("Manager on duty")
        FIELD = "field", _("Field technician")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="duty_shifts",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        related_name="duty_shifts",
        null=True,
        blank=True,
        verbose_name=_("team"),
    )
    kind = models.CharField(_("duty"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # A shift generated by a rotation, or the substitute's shift of a swap; NULL: by hand.
    rotation = models.ForeignKey(
        "Rotation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("rotation"),
    )
    override = models.ForeignKey(
        "RosterOverride",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("override"),
    )

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        indexes = [models.Index(fields=["kind", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="dutyshift_ends_after_start"
            ),
            # Generating a rotation's shifts twice never doubles one.
            models.UniqueConstraint(
                fields=["rotation", "user", "starts_at"],
                condition=Q(rotation__isnull=False),
                name="dutyshift_one_per_rotation_turn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} {self.starts_at:%Y-%m-%d %H:%M}"


class Rotation(models.Model):
    """A weekly pattern of a team's duty: on these weekdays, from ``start_time`` to
    ``end_time`` (Asia/Shanghai wall-clock time; an end at or before the start runs past
    midnight). Its members are all on duty together, or take turns week by week in their
    order. ``teams.services.generate_shifts`` turns it into ``DutyShift`` rows."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="rotations", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("duty"), max_length=20, choices=DutyShift.Kind.choices, default=DutyShift.Kind.FIELD
    )
    # ISO weekdays, 1 (Monday) to 7 (Sunday), as digits: "12345" is Monday to Friday.
    weekdays = models.CharField(_("weekdays"), max_length=7, default="12345")
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    take_turns = models.BooleanField(
        _("members take turns weekly"),
        default=False,
        help_text=_("Off: every member is on duty on each shift."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="rotations", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["team", "name"]
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__regex=r"^[1-7]{1,7}$"), name="rotation_weekdays_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.name}"


class RosterOverride(models.Model):
    """An exception to the roster: ``user`` is off duty from ``starts_at`` to ``ends_at``
    (leave), or hands those hours to ``substitute`` (a swap: the substitute gets a shift)."""

    class Kind(models.TextChoices):
        LEAVE = "leave", pgettext_lazy("roster override", "Leave")
        SWAP = "swap", pgettext_lazy("roster override", "Swap")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="roster_overrides", verbose_name=_("team")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roster_overrides",
        verbose_name=_("user"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("substitute"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("roster override")
        verbose_name_plural = _("roster overrides")
        indexes = [models.Index(fields=["user", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="override_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind="leave", substitute__isnull=True)
                | Q(kind="swap", substitute__isnull=False),
                name="override_swap_has_substitute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} {self.starts_at:%Y-%m-%d %H:%M}"
