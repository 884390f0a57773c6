"""The demo organisation (teams, people, duty roster) and its incidents (DEMO ONLY).

``DemoBuilder(now).build()`` reports every case in the past through ``incidents.services``
and walks it to its stage with past ``now`` values, so the timelines, deadlines and
directives are exactly what the live system would have produced.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.utils import timezone

from demo import cases, data
from escalation import services as escalation_services
from incidents import services
from incidents.models import Category, Directive, Incident
from teams.models import DutyShift, Membership, Team

# Minutes between the milestones of a demo case.
STEP_MINUTES = {"confirm": 12, "dispatch": 20, "arrive": 75, "resolve": 120, "close": 1440}
STAGES = ("reported", "confirmed", "dispatched", "on_site", "resolved", "closed")


class DemoBuilder:
    """Builds the organisation, the roster and the cases. Call ``build()`` once."""

    def __init__(self, now: datetime):
        self.now = now
        self.teams: dict[str, Team] = {}
        self.users: dict = {}
        self.password = make_password(data.DEMO_PASSWORD)  # hashed once: keeps it fast
        self.categories = {c.slug: c for c in Category.objects.all()}

    def build(self) -> dict:
        self._teams()
        self._people()
        self._roster()
        for index, case in enumerate(cases.CASES):
            self._case(case, index)
        self._directive_progress()
        return {
            **{key: self.teams[key] for key in data.TEAMS},
            "commander": self.users["manager"],
            "deputies": [self.users["chen.zhiqiang"], self.users["liu.fang"]],
            "technicians": [
                u for u in self.users.values() if u.groups.filter(name="technician").exists()
            ],
            "teams": self.teams,
            "users": self.users,
            "incident_count": len(cases.CASES),
        }

    # -- organisation ---------------------------------------------------------------------

    def _teams(self) -> None:
        for key, (slug, kind, name, name_zh, area, phone) in data.TEAMS.items():
            self.teams[key], _ = Team.objects.get_or_create(
                slug=slug,
                defaults={
                    "kind": kind,
                    "name": name,
                    "name_zh": name_zh,
                    "service_area": area,
                    "phone": phone,
                },
            )

    def _people(self) -> None:
        User = get_user_model()
        groups = {g.name: g for g in Group.objects.all()}
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            User.objects.create(
                username="admin",
                email="admin@example.com",
                password=self.password,
                is_staff=True,
                is_superuser=True,
                first_name="管理员",
                last_name="Administrator",
            )
        for username, (name_zh, pinyin, roles, memberships) in data.PEOPLE.items():
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": name_zh,
                    "last_name": pinyin,
                    "email": f"{username}@example.com",
                    "password": self.password,
                },
            )
            user.groups.add(*(groups[r] for r in roles))
            for team_key, role, title in memberships:
                english, chinese = split_bilingual(title)
                Membership.objects.get_or_create(
                    team=self.teams[team_key],
                    user=user,
                    defaults={"role": role, "title": english, "title_zh": chinese},
                )
            self.users[username] = user

    def _roster(self) -> None:
        """Shifts aligned on local midnight, from 7 days ago to 7 days ahead."""
        local = timezone.localtime(self.now)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=7)
        shifts = []
        for kind, (team_key, people, hours) in data.ROSTER.items():
            for n in range(15 * 24 // hours):
                starts = start + timedelta(hours=n * hours)
                shifts.append(
                    DutyShift(
                        user=self.users[people[n % len(people)]],
                        team=self.teams[team_key],
                        kind=kind,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=hours),
                    )
                )
        DutyShift.objects.bulk_create(shifts)

    # -- incidents --------------------------------------------------------------------------

    def _fields(self, case: dict) -> dict:
        asset = case["asset"]
        number = asset if isinstance(asset, int) else sum(map(ord, asset))
        customer, phone = data.CUSTOMERS[number % len(data.CUSTOMERS)]
        location, lat, lon, _region = data.PLACES[case["place"]]
        channel = case.get("channel", "hotline")
        fields = {
            "description": case.get("desc", ""),
            "impact_scope": case.get("impact", ""),
            "initial_handling": case.get("handling", ""),
            "channel": channel,
            "service_mode": case.get("mode", ""),
            "customer_name": customer,
            "customer_phone": phone,
            "location": location,
            "latitude": Decimal(lat),
            "longitude": Decimal(lon),
            "asset_ref": data.vin(asset) if isinstance(asset, int) else asset,
        }
        if channel == "api":
            fields["external_ref"] = f"TSP-{number:05d}"
        return fields

    def _reporter(self, case: dict, index: int):
        if case.get("channel") == "api":
            return self.users["integration"]
        return self.users[("dispatcher", "zhou.ting", "wu.min")[index % 3]]

    def _case(self, case: dict, index: int) -> Incident:
        """Report one case in the past and walk it through the services to its stage."""
        stage, _, cancel_from = case["stage"].partition("@")
        target = cancel_from or stage
        reported_at = self.now - timedelta(hours=case["ago"])
        # Remote support without a technician: the support group resolves from "confirmed".
        remote = case.get("mode") == "remote_support" and not case.get("tech")
        incident = services.report_incident(
            actor=self._reporter(case, index),
            title=case["title"],
            category=self.categories[case["cat"]],
            grade=case["grade"],
            reported_at=reported_at,
            now=reported_at + timedelta(minutes=2),
            **self._fields(case),
        )
        clock = Clock(reported_at, self.now, on_step=self._sweep)
        reach = STAGES.index(target)
        desk = self.users["manager"] if case["grade"] == "I" else self._reporter(case, index)
        if reach >= 1:
            minutes = case.get("late", STEP_MINUTES["confirm"])
            services.confirm_incident(
                incident, actor=desk, now=clock.after(minutes), note=case.get("desc", "")[:120]
            )
        if reach >= 2 and not remote:
            self._dispatch(incident, case, desk, clock)
        if case.get("note"):
            services.add_note(incident, actor=desk, text=case["note"], now=clock.after(5))
        if reach >= 3 and not remote:
            services.arrive_incident(
                incident, actor=self._worker(incident), now=clock.after(STEP_MINUTES["arrive"])
            )
        if reach >= 4:
            services.resolve_incident(
                incident,
                actor=self._worker(incident),
                resolution=case.get("resolution") or "Fixed on site.",
                now=clock.after(STEP_MINUTES["resolve"]),
            )
        if reach >= 5:
            services.close_incident(
                incident,
                actor=desk,
                now=clock.after(STEP_MINUTES["close"]),
                note="Customer confirmed by phone; case closed.",
            )
        if cancel_from:
            services.cancel_incident(
                incident, actor=self.users["liu.fang"], reason=case["reason"], now=clock.after(30)
            )
        return incident

    @staticmethod
    def _sweep(when: datetime) -> None:
        """What the beat's sweep would have done by ``when``: a case confirmed late was
        escalated first, as it would have been live."""
        escalation_services.escalate_due(now=when)

    def _dispatch(self, incident: Incident, case: dict, desk, clock: Clock) -> None:
        tech = case.get("tech")
        when = clock.after(STEP_MINUTES["dispatch"])
        if tech and tech.startswith("@"):
            services.dispatch_incident(incident, actor=desk, team=self.teams[tech[1:]], now=when)
        elif tech:
            services.dispatch_incident(
                incident,
                actor=desk,
                assignee=self.users[tech],
                now=when,
                note="Tow truck from Antu Road Rescue booked."
                if case["place"].startswith("g")
                else "",
            )
        else:
            services.dispatch_incident(incident, actor=desk, team=self.teams["tech"], now=when)
        if case.get("regrade"):
            services.regrade_incident(
                incident,
                actor=self.users["manager"],
                grade=case["regrade"],
                reason="Passengers involved and media on site: raised to Level I.",
                now=clock.after(10),
            )

    def _worker(self, incident: Incident):
        incident.refresh_from_db(fields=["assignee"])
        return incident.assignee or self.users["chen.zhiqiang"]

    def _directive_progress(self) -> None:
        for title_prefix, team_key, status, text in cases.DIRECTIVE_PROGRESS:
            directive = (
                Directive.objects.filter(
                    incident__title__startswith=title_prefix, team=self.teams[team_key]
                )
                .select_related("incident")
                .first()
            )
            if directive is None:
                continue
            leader = (
                Membership.objects.filter(team=self.teams[team_key], role="leader")
                .select_related("user")
                .first()
            )
            if leader is None:
                continue
            when = min(directive.created_at + timedelta(minutes=40), self.now)
            services.report_directive_progress(
                directive, actor=leader.user, text=text, status=status, now=when
            )


def split_bilingual(text: str) -> tuple[str, str]:
    """ "Field technician 维修技师" -> ("Field technician", "维修技师"): the English part and
    the Chinese part that follows it."""
    match = re.search(r"[\u3400-\u9fff]", text)
    if match is None:
        return text, ""
    return text[: match.start()].strip(), text[match.start() :].strip()


class Clock:
    """Moves a case's time forward step by step, never past the real ``now``; ``on_step`` runs
    at each new time before the step happens (the demo sweeps escalation there)."""

    def __init__(self, start: datetime, now: datetime, on_step=None):
        self.time = start
        self.now = now
        self.on_step = on_step

    def after(self, minutes: float) -> datetime:
        self.time = self.time + timedelta(minutes=minutes)
        if self.time >= self.now:
            raise CommandError(f"demo case runs into the future ({self.time:%Y-%m-%d %H:%M})")
        if self.on_step is not None:
            self.on_step(self.time)
        return self.time
