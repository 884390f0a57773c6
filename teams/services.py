"""The duty roster and a team's working state: rotations that generate shifts, overrides
(leave, swap), hand-made shifts, and a service centre marked out of action.

Wall-clock times of the roster are in the project's time zone (settings.TIME_ZONE,
Asia/Shanghai): a rotation "08:00-20:00" means Beijing time whatever the server's clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.types import Actor
from teams.models import DutyShift, Membership, Role, RosterOverride, Rotation, Team

# How far ahead a rotation's shifts are written (regenerated nightly and on every edit).
GENERATE_DAYS = 28
MAX_SHIFT = timedelta(hours=24)


def can_edit_roster(user: Actor, team: Team) -> bool:
    """A team's leader or deputy edits its roster; so does whoever may change any shift
    (a manager)."""
    if user is None:
        return True
    if user.has_perm("teams.change_dutyshift"):
        return True
    return Membership.objects.filter(
        team=team, user=user, role__in=[Role.LEADER, Role.DEPUTY]
    ).exists()


def can_manage_team(user: Actor, team: Team) -> bool:
    """A team's leader or deputy, or whoever may change any team (a manager), sets where it
    works and marks it out of action."""
    if user is None or user.has_perm("teams.change_team"):
        return True
    return Membership.objects.filter(
        team=team, user=user, role__in=[Role.LEADER, Role.DEPUTY]
    ).exists()


def _require_manage(actor: Actor, team: Team) -> None:
    if not can_manage_team(actor, team):
        raise PermissionDenied(_("Only the team's leader, a deputy or a manager may do this."))


def _require_roster(actor: Actor, team: Team) -> None:
    if not can_edit_roster(actor, team):
        raise PermissionDenied(_("Only the team's leader, a deputy or a manager may do this."))


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_default_timezone())


def rotation_turns(rotation: Rotation, members: list, start: date, end: date):
    """(user, starts_at, ends_at) of each shift of ``rotation`` on the days start..end."""
    if not members:
        return
    day = max(start, rotation.starts_on)
    last = min(end, rotation.ends_on) if rotation.ends_on else end
    while day <= last:
        if str(day.isoweekday()) in rotation.weekdays:
            starts = _at(day, rotation.start_time)
            ends_day = day if rotation.end_time > rotation.start_time else day + timedelta(1)
            ends = _at(ends_day, rotation.end_time)
            if rotation.take_turns:
                week = (day - rotation.starts_on).days // 7
                yield members[week % len(members)], starts, ends
            else:
                for member in members:
                    yield member, starts, ends
        day += timedelta(days=1)


def generate_shifts(rotation: Rotation, *, now: datetime | None = None, days: int = GENERATE_DAYS):
    """Write the rotation's shifts from today (local) for ``days`` days. The shifts of it
    that have not started are rewritten (an edited pattern or member list takes effect);
    those under way or past stay as they were. Returns the number of shifts written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    members = list(rotation.members.order_by("pk"))
    with transaction.atomic():
        DutyShift.objects.filter(rotation=rotation, starts_at__gt=now).delete()
        rows = [
            DutyShift(
                user=user,
                team=rotation.team,
                kind=rotation.kind,
                starts_at=starts,
                ends_at=ends,
                rotation=rotation,
            )
            for user, starts, ends in rotation_turns(
                rotation, members, today, today + timedelta(days=days - 1)
            )
            if starts > now
        ]
        DutyShift.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _check_rotation(data: dict, team: Team) -> None:
    errors: dict[str, list[str]] = {}
    weekdays = data.get("weekdays", "")
    if not weekdays or any(c not in "1234567" for c in weekdays):
        errors["weekdays"] = [_("Choose at least one weekday.")]
    if data.get("start_time") == data.get("end_time"):
        errors["end_time"] = [_("A shift cannot end when it starts.")]
    ends_on = data.get("ends_on")
    if ends_on and ends_on < data["starts_on"]:
        errors["ends_on"] = [_("The last day is before the first day.")]
    members = data.get("members") or []
    if not members:
        errors["members"] = [_("Choose at least one member.")]
    elif Membership.objects.filter(team=team, user__in=members).count() != len(set(members)):
        errors["members"] = [_("Every member must belong to the team.")]
    if errors:
        raise ValidationError(errors)


def save_rotation(
    team: Team,
    *,
    actor: Actor,
    rotation: Rotation | None = None,
    now: datetime | None = None,
    **data,
) -> Rotation:
    """Create (or edit) a rotation of ``team`` and (re)generate its coming shifts.

    ``data``: name, kind, weekdays ("12345"), start_time, end_time, starts_on, ends_on,
    take_turns, members (users of the team)."""
    _require_roster(actor, team)
    data["weekdays"] = "".join(sorted(set(str(data.get("weekdays") or ""))))
    _check_rotation(data, team)
    members = list(data.pop("members"))
    with transaction.atomic():
        rotation = rotation or Rotation(team=team)
        for name, value in data.items():
            setattr(rotation, name, value)
        rotation.save()
        rotation.members.set(members)
        generate_shifts(rotation, now=now)
    return rotation


def delete_rotation(rotation: Rotation, *, actor: Actor, now: datetime | None = None) -> None:
    """Remove a rotation and its shifts still to come (past shifts stay on record)."""
    _require_roster(actor, rotation.team)
    now = now or timezone.now()
    with transaction.atomic():
        DutyShift.objects.filter(rotation=rotation, starts_at__lte=now).update(rotation=None)
        rotation.delete()


def extend_rotations(*, now: datetime | None = None) -> int:
    """Keep every running rotation generated ``GENERATE_DAYS`` ahead (the nightly task)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    written = 0
    running = Rotation.objects.exclude(ends_on__lt=today)
    for rotation in running:
        written += generate_shifts(rotation, now=now)
    return written


def _check_window(starts_at: datetime, ends_at: datetime, *, limit: timedelta | None) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("The end is not after the start.")]})
    if limit and ends_at - starts_at > limit:
        raise ValidationError({"ends_at": [_("A shift lasts at most 24 hours.")]})


def add_override(
    team: Team,
    *,
    actor: Actor,
    kind: str,
    user,
    starts_at: datetime,
    ends_at: datetime,
    substitute=None,
    reason: str = "",
) -> RosterOverride:
    """Leave: ``user`` is off duty from ``starts_at`` to ``ends_at`` whatever the shifts say.
    Swap: the same, and ``substitute`` takes the hours ``user`` had on the roster then (a
    shift of the same duty for each of them, cut to the window)."""
    _require_roster(actor, team)
    _check_window(starts_at, ends_at, limit=timedelta(days=90))
    members = set(Membership.objects.filter(team=team).values_list("user_id", flat=True))
    if user.pk not in members:
        raise ValidationError({"user": [_("Choose a member of the team.")]})
    if kind == RosterOverride.Kind.SWAP:
        if substitute is None or substitute.pk not in members:
            raise ValidationError({"substitute": [_("Choose a member of the team.")]})
        if substitute.pk == user.pk:
            raise ValidationError({"substitute": [_("Swap with someone else.")]})
    else:
        substitute = None
    with transaction.atomic():
        override = RosterOverride.objects.create(
            team=team,
            kind=kind,
            user=user,
            substitute=substitute,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason.strip(),
            created_by=actor,
        )
        if substitute is not None:
            DutyShift.objects.bulk_create(_swapped_shifts(override))
    return override


def _swapped_shifts(override: RosterOverride) -> Iterable[DutyShift]:
    covered = DutyShift.objects.filter(
        user=override.user,
        team=override.team,
        starts_at__lt=override.ends_at,
        ends_at__gt=override.starts_at,
    )
    for shift in covered:
        yield DutyShift(
            user=override.substitute,
            team=override.team,
            kind=shift.kind,
            starts_at=max(shift.starts_at, override.starts_at),
            ends_at=min(shift.ends_at, override.ends_at),
            override=override,
        )


def delete_override(override: RosterOverride, *, actor: Actor) -> None:
    """Withdraw a leave or swap (the substitute's shifts go with it)."""
    _require_roster(actor, override.team)
    override.delete()


def save_shift(
    team: Team,
    *,
    actor: Actor,
    shift: DutyShift | None = None,
    user,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
) -> DutyShift:
    """A shift written by hand (an extra hand for a busy night); at most 24 hours."""
    _require_roster(actor, team)
    _check_window(starts_at, ends_at, limit=MAX_SHIFT)
    if not Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError({"user": [_("Choose a member of the team.")]})
    if kind not in DutyShift.Kind.values:
        raise ValidationError({"kind": [_("Unknown duty.")]})
    shift = shift or DutyShift(team=team)
    shift.user, shift.kind, shift.starts_at, shift.ends_at = user, kind, starts_at, ends_at
    shift.save()
    return shift


def delete_shift(shift: DutyShift, *, actor: Actor) -> None:
    if shift.team is None:
        raise PermissionDenied(_("Only the team's leader, a deputy or a manager may do this."))
    _require_roster(actor, shift.team)
    shift.delete()


def mark_out_of_action(
    team: Team, *, actor: Actor, reason: str, now: datetime | None = None
) -> Team:
    """The team (a service centre) cannot take work: dispatch recommendation skips its
    people until it is back in action. ``reason`` is required."""
    _require_manage(actor, team)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the centre is out of action.")]})
    now = now or timezone.now()
    Team.objects.filter(pk=team.pk).update(
        out_of_action_since=now, out_of_action_reason=reason, out_of_action_by=actor
    )
    team.refresh_from_db()
    return team


def back_in_action(team: Team, *, actor: Actor) -> Team:
    _require_manage(actor, team)
    Team.objects.filter(pk=team.pk).update(
        out_of_action_since=None, out_of_action_reason="", out_of_action_by=None
    )
    team.refresh_from_db()
    return team


def set_service_area(
    team: Team,
    *,
    actor: Actor,
    latitude,
    longitude,
    service_radius_km: int | None = None,
    service_regions: str = "",
    partner_service: str = "",
) -> Team:
    """Where a team works from and, for a partner, the area it serves."""
    _require_manage(actor, team)
    if (latitude is None) != (longitude is None):
        raise ValidationError({"longitude": [_("Give both latitude and longitude, or neither.")]})
    regions = ", ".join(r.strip() for r in (service_regions or "").split(",") if r.strip())
    Team.objects.filter(pk=team.pk).update(
        latitude=latitude,
        longitude=longitude,
        service_radius_km=service_radius_km,
        service_regions=regions,
        partner_service=partner_service,
    )
    team.refresh_from_db()
    return team
