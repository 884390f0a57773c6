from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        indexes = [models.Index(fields=["kind", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="dutyshift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} {self.starts_at:%Y-%m-%d %H:%M}"
