from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone


class TeamQuerySet(models.QuerySet):
    def active(self) -> TeamQuerySet:
        return self.filter(is_active=True)

    def of_kind(self, *kinds: str) -> TeamQuerySet:
        return self.filter(kind__in=kinds)

    def hq(self):
        return self.filter(kind="hq", is_active=True).order_by("pk").first()


class MembershipQuerySet(models.QuerySet):
    def leaders(self) -> MembershipQuerySet:
        return self.filter(role="leader")


class DutyShiftQuerySet(models.QuerySet):
    def on_duty(self, now: datetime | None = None, *, kind: str | None = None) -> DutyShiftQuerySet:
        """Shifts running at ``now`` whose person is not away then (leave, or a swap that
        handed the hours to a substitute)."""
        from teams.models import RosterOverride

        now = now or timezone.now()
        away = RosterOverride.objects.filter(
            user=models.OuterRef("user"), starts_at__lte=now, ends_at__gt=now
        )
        qs = self.filter(starts_at__lte=now, ends_at__gt=now).exclude(models.Exists(away))
        if kind:
            qs = qs.filter(kind=kind)
        return qs


def users_on_duty(now: datetime | None = None, *, kind: str | None = None):
    """Users on a duty shift at ``now`` (optionally of one duty kind)."""
    from teams.models import DutyShift

    user_ids = DutyShift.objects.on_duty(now, kind=kind).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True)


def team_leader(team):
    """The leader of ``team`` or None."""
    return (
        get_user_model()
        .objects.filter(memberships__team=team, memberships__role="leader", is_active=True)
        .first()
    )


def hq_commander():
    """HQ's commander (总指挥): the leader of the HQ team."""
    from teams.models import Team

    hq = Team.objects.hq()
    return team_leader(hq) if hq else None


def hq_deputies():
    """HQ's deputies (副组长)."""
    return (
        get_user_model()
        .objects.filter(memberships__team__kind="hq", memberships__role="deputy", is_active=True)
        .distinct()
    )


def active_team_by_kind() -> dict:
    """The first (oldest) active team of each kind, from the reference-data cache."""
    from core import refcache
    from teams.models import Team

    return refcache.get(
        "active-team-by-kind",
        lambda: {t.kind: t for t in Team.objects.filter(is_active=True).order_by("-pk")},
    )
