"""Dispatch test data: technicians at located service centres, built through services."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from incidents import services as incident_services
from teams import services as team_services
from teams.models import DutyShift, Team
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
PEOPLES_SQUARE = (Decimal("31.230416"), Decimal("121.473701"))
# About 3.2 km east of People's Square (Lujiazui) and 25 km west (Songjiang).
LUJIAZUI = (Decimal("31.238000"), Decimal("121.506000"))
SONGJIANG = (Decimal("31.032000"), Decimal("121.227000"))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def centre(slug: str, point, **fields) -> Team:
    team = factories.TeamFactory(slug=slug, name=slug.title(), kind="service_centre", **fields)
    team_services.set_service_area(team, actor=None, latitude=point[0], longitude=point[1])
    return team


def technician(username: str, team: Team, **fields):
    user = factories.UserFactory(username=username, roles=["technician"], **fields)
    factories.MembershipFactory(team=team, user=user)
    return user


def on_shift(user, team, starts_at: datetime, ends_at: datetime) -> DutyShift:
    return team_services.save_shift(
        team, actor=None, user=user, kind="field", starts_at=starts_at, ends_at=ends_at
    )


def incident_at(point=PEOPLES_SQUARE, *, now: datetime, **fields):
    incident = factories.report(latitude=point[0], longitude=point[1], now=now, **fields)
    return incident_services.confirm_incident(incident, actor=None, now=now)
