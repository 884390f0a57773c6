# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""The demo's dispatch data (DEMO ONLY): where the service centres and partners are, the
technicians' skills (HV-qualified ones, one whose qualification has expired), the East
centre's rotations with a leave and a swap, a repair-shop partner, and a third centre out
of action after a flood. Built through the teams and dispatch services."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from dispatch import services as dispatch_services
from dispatch.models import TechnicianSkill
from teams import services as team_services
from teams.models import Membership, Team

# slug: (latitude, longitude, radius km, regions, partner service)
PLACES = {
    "sc-east": ("31.112000", "121.382000", None, "", ""),  # Minhang, Shanghai
    "sc-south": ("23.129100", "113.264400", None, "", ""),  # Guangzhou
    "partner-antu": ("31.374700", "121.265000", 120, "Shanghai, 上海, Suzhou, 苏州", "tow"),
}
REPAIR_SHOP = {
    "slug": "partner-pudong-repair",
    "kind": "partner",
    "name": "Pudong Huayuan Authorised Repair (partner)",
    "name_zh": "浦东华远特约维修站（合作）",
    "service_area": "Pudong, Shanghai 上海浦东",
    "phone": "+86 21 5555 0910",
}
FLOODED = {
    "slug": "sc-north",
    "kind": "service_centre",
    "name": "North China Service Centre",
    "name_zh": "华北服务中心",
    "service_area": "Tianjin, Hebei 天津、河北",
    "phone": "+86 22 5555 0400",
}
# username: [(kind, detail, days valid from today or None)]; a negative number: expired.
SKILLS: dict[str, list[tuple[str, str, int | None]]] = {
    "technician": [("hv", "HV-2024-0117", 480), ("powertrain", "nev", None)],
    "lin.tao": [
        ("hv", "HV-2023-0042", 200),
        ("powertrain", "nev", None),
        ("powertrain", "hybrid", None),
    ],
    "wang.lei": [("hv", "HV-2022-0311", -12), ("powertrain", "ice", None)],
    "xu.jun": [("hv", "HV-2024-0520", 365), ("powertrain", "nev", None)],
    "feng.chao": [("powertrain", "ice", None), ("other", "Diesel injection 柴油喷射系统", None)],
    "deng.yu": [("powertrain", "hybrid", None), ("other", "Bus air-conditioning 客车空调", None)],
}


def load() -> None:
    if TechnicianSkill.objects.exists():
        return
    now = timezone.now()
    for slug, (lat, lon, radius, regions, service) in PLACES.items():
        team = Team.objects.filter(slug=slug).first()
        if team:
            team_services.set_service_area(
                team,
                actor=None,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                service_radius_km=radius,
                service_regions=regions,
                partner_service=service,
            )
    shop = Team.objects.get_or_create(slug=REPAIR_SHOP["slug"], defaults=REPAIR_SHOP)[0]
    team_services.set_service_area(
        shop,
        actor=None,
        latitude=Decimal("31.221500"),
        longitude=Decimal("121.544000"),
        service_radius_km=30,
        service_regions="Pudong, 浦东",
        partner_service="repair",
    )
    north = Team.objects.get_or_create(slug=FLOODED["slug"], defaults=FLOODED)[0]
    team_services.set_service_area(
        north, actor=None, latitude=Decimal("39.084200"), longitude=Decimal("117.200900")
    )
    team_services.mark_out_of_action(
        north, actor=None, reason="Flooded after the storm, no power 暴雨进水，停电", now=now
    )
    _skills(now)
    _roster(now)


def _skills(now) -> None:
    people = {u.username: u for u in get_user_model().objects.filter(username__in=SKILLS)}
    today = timezone.localdate(now)
    for username, skills in SKILLS.items():
        user = people.get(username)
        if user is None:
            continue
        for kind, detail, days in skills:
            if kind == "hv" and days is not None:
                dispatch_services.add_skill(
                    user,
                    actor=None,
                    kind="hv",
                    certificate=detail,
                    valid_until=today + timedelta(days=days),
                )
            elif kind == "powertrain":
                dispatch_services.add_skill(user, actor=None, kind="powertrain", powertrain=detail)
            else:
                dispatch_services.add_skill(user, actor=None, kind="other", name=detail)


def _roster(now) -> None:
    east = Team.objects.filter(slug="sc-east").first()
    south = Team.objects.filter(slug="sc-south").first()
    if east is None or south is None:
        return
    today = timezone.localdate(now)
    start = today - timedelta(days=7)
    east_people = [m.user for m in Membership.objects.filter(team=east).select_related("user")]
    south_people = [m.user for m in Membership.objects.filter(team=south).select_related("user")]
    team_services.save_rotation(
        east,
        actor=None,
        now=now,
        name="Day shift 白班",
        weekdays="1234567",
        start_time=time(8),
        end_time=time(20),
        take_turns=False,
        members=east_people,
        kind="field",
        starts_on=start,
        ends_on=None,
    )
    team_services.save_rotation(
        east,
        actor=None,
        now=now,
        name="Night on call 夜间值守",
        weekdays="1234567",
        start_time=time(20),
        end_time=time(8),
        take_turns=True,
        members=east_people[:2],
        kind="field",
        starts_on=start,
        ends_on=None,
    )
    team_services.save_rotation(
        south,
        actor=None,
        now=now,
        name="Weekday shift 工作日班",
        weekdays="123456",
        start_time=time(8, 30),
        end_time=time(18),
        take_turns=False,
        members=south_people,
        kind="field",
        starts_on=start,
        ends_on=None,
    )
    by_name = {u.username: u for u in east_people}
    tomorrow = timezone.make_aware(
        datetime.combine(today + timedelta(days=1), time()),
        timezone.get_default_timezone(),
    )
    if "wang.lei" in by_name:
        team_services.add_override(
            east,
            actor=None,
            kind="leave",
            user=by_name["wang.lei"],
            starts_at=tomorrow,
            ends_at=tomorrow + timedelta(days=2),
            reason="Annual leave 年假",
        )
    if "technician" in by_name and "lin.tao" in by_name:
        swap_day = tomorrow + timedelta(days=3)
        team_services.add_override(
            east,
            actor=None,
            kind="swap",
            user=by_name["technician"],
            substitute=by_name["lin.tao"],
            starts_at=swap_day + timedelta(hours=8),
            ends_at=swap_day + timedelta(hours=20),
            reason="Family matter 家事",
        )
