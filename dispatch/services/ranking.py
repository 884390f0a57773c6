"""Dispatch recommendation: who should take this incident, and why.

``rank_candidates(incident)`` is the one ranking: the incident page's dispatch control and
the API's ``candidates`` read it; the dispatch itself is ``incidents.services
.dispatch_incident`` (the dispatcher picks, or accepts the first).

A candidate is an active technician (the role) or an active partner team (tow, repair
shop) whose service area covers the incident. Hard filters, shown as the reason a
candidate is left out: the technician's service centre (or the partner) is out of action;
NEV work without a valid high-voltage qualification (valid through its last day in
Asia/Shanghai). The score (lower is better) adds, per candidate:

- the distance in km (haversine, from the last known position or the service centre);
  ``UNKNOWN_DISTANCE_KM`` when either end has no coordinates;
- ``OFF_DUTY_PENALTY`` for a technician not on a roster shift now (leave counts as off);
- ``PER_OPEN_JOB`` for each open job (dispatched or on site) they hold;
- ``PARTNER_PENALTY`` for a partner (own technicians first at equal distance);
- minus ``SKILL_BONUS`` for a skill matching the vehicle (its powertrain, its model).

Reads: a fixed handful of queries whatever the number of technicians (technicians with
their centre, skills, shifts on now, one grouped count of open jobs, partners, positions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import in_active_language
from core.roles import TECHNICIAN
from dispatch.models import SkillKind, TechnicianSkill
from dispatch.positions import Position, last_field_positions
from incidents.models import Incident, Status
from teams.models import DutyShift, Membership, Team, TeamKind
from vehicles.models import Powertrain
from vehicles.services import vehicle_for_ref

UNKNOWN_DISTANCE_KM = 50.0
OFF_DUTY_PENALTY = 60.0
PER_OPEN_JOB = 15.0
PARTNER_PENALTY = 10.0
SKILL_BONUS = 10.0
# Open jobs that load a person: given to them and not yet resolved.
LOADED = (Status.DISPATCHED, Status.ON_SITE)
EARTH_KM = 6371.0088
# How many candidates (times the number shown) have their open jobs read.
SHORTLIST = 4


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Candidate:
    """One technician or partner team, ranked. ``reasons`` are in the active language."""

    kind: str  # "technician" | "partner"
    name: str
    user_id: int | None = None
    team_id: int | None = None
    team_name: str = ""
    distance_km: float | None = None
    position_source: str = ""
    on_duty: bool | None = None
    open_jobs: int = 0
    loads_read: bool = False
    hv_until: date | None = None
    skills: list[str] = field(default_factory=list)
    excluded: str = ""
    score: float = 0.0
    rank: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        return " · ".join(self.reasons)


@dataclass
class Ranking:
    incident_id: int
    needs_hv: bool
    powertrain: str
    candidates: list[Candidate]
    excluded: list[Candidate]


@dataclass
class _Need:
    powertrain: str = ""
    model_id: int | None = None
    model_label: str = ""

    @property
    def hv(self) -> bool:
        return self.powertrain == Powertrain.NEV


def _need(incident: Incident) -> _Need:
    vehicle = vehicle_for_ref(incident.asset_ref) if incident.asset_ref else None
    if vehicle is None:
        return _Need()
    return _Need(vehicle.model.powertrain, vehicle.model_id, vehicle.model.label)


def _point(incident: Incident) -> tuple[float, float] | None:
    if incident.latitude is None or incident.longitude is None:
        return None
    return float(incident.latitude), float(incident.longitude)


def _distance(point, position: Position | None) -> float | None:
    if point is None or position is None:
        return None
    return haversine_km(point[0], point[1], position.latitude, position.longitude)


def _loads(incident: Incident, *, people=(), teams=()) -> tuple[dict[int, int], dict[int, int]]:
    """Open jobs of these technicians and of these teams (jobs given to a team alone): one
    grouped query over the open incidents, read by the (assignee, status) index."""
    if not people and not teams:
        return {}, {}
    rows = (
        Incident.objects.filter(status__in=LOADED)
        .filter(Q(assignee_id__in=list(people)) | Q(assignee__isnull=True, team_id__in=list(teams)))
        .exclude(pk=incident.pk)
        .values_list("assignee_id", "team_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_person: dict[int, int] = {}
    by_team: dict[int, int] = {}
    for assignee_id, team_id, n in rows:
        if assignee_id is not None:
            by_person[assignee_id] = by_person.get(assignee_id, 0) + n
        elif team_id is not None:
            by_team[team_id] = by_team.get(team_id, 0) + n
    return by_person, by_team


def _technicians() -> dict[int, Candidate]:
    users = (
        get_user_model()
        .objects.filter(groups__name=TECHNICIAN, is_active=True)
        .values_list("pk", "first_name", "last_name", "username")
        .order_by()
    )
    found = {}
    for pk, first, last, username in users:
        name = f"{first} {last}".strip() or username
        found[pk] = Candidate(kind="technician", name=name, user_id=pk)
    return found


@dataclass(frozen=True)
class _Centre:
    pk: int
    label: str
    position: Position | None
    out_of_action: str | None  # the reason, when it is out of action


def _centres() -> dict[int, _Centre]:
    """Each member's service centre (their first membership of one): one query. The
    tables behind a candidate (memberships, skills, shifts, positions) hold a few rows per
    person: each is read whole, in one pass, rather than joined to the technicians again."""
    rows = (
        Membership.objects.filter(team__kind=TeamKind.SERVICE_CENTRE)
        .order_by("-pk")
        .values_list(
            "user_id",
            "team_id",
            "team__name",
            "team__name_zh",
            "team__latitude",
            "team__longitude",
            "team__out_of_action_since",
            "team__out_of_action_reason",
        )
    )
    teams: dict[int, _Centre] = {}
    found = {}
    for user_id, team_id, name, name_zh, lat, lon, since, reason in rows:
        if team_id not in teams:
            position = (
                Position(float(lat), float(lon), "centre")
                if lat is not None and lon is not None
                else None
            )
            label = in_active_language(name, name_zh)
            teams[team_id] = _Centre(team_id, label, position, reason if since else None)
        found[user_id] = teams[team_id]
    return found


def _skills(need: _Need, today: date) -> tuple[dict[int, date], dict[int, list[str]]]:
    """The latest HV qualification date and the skills matching the vehicle, per user."""
    hv: dict[int, date] = {}
    matched: dict[int, list[str]] = {}
    wanted = Q(kind=SkillKind.HV)
    if need.powertrain:
        wanted |= Q(kind=SkillKind.POWERTRAIN, powertrain=need.powertrain)
    if need.model_id:
        wanted |= Q(kind=SkillKind.MODEL, vehicle_model_id=need.model_id)
    rows = TechnicianSkill.objects.filter(wanted).values_list("user_id", "kind", "valid_until")
    for user_id, kind, until in rows:
        if kind == SkillKind.HV:
            if until and (user_id not in hv or until > hv[user_id]):
                hv[user_id] = until
        elif until is None or until >= today:
            label = (
                str(Powertrain(need.powertrain).label)
                if kind == SkillKind.POWERTRAIN
                else need.model_label
            )
            matched.setdefault(user_id, []).append(label)
    return hv, matched


def _partners(incident: Incident, point) -> list[Candidate]:
    """Active partner teams whose service area (radius around their location, or a named
    region in the incident's location) covers the incident."""
    found = []
    location = (incident.location or "").casefold()
    for team in Team.objects.filter(kind=TeamKind.PARTNER, is_active=True):
        position = (
            Position(float(team.latitude), float(team.longitude), "centre")
            if team.latitude is not None and team.longitude is not None
            else None
        )
        distance = _distance(point, position)
        regions = [r.strip() for r in team.service_regions.split(",") if r.strip()]
        in_radius = (
            distance is not None and team.service_radius_km and distance <= team.service_radius_km
        )
        in_region = any(r.casefold() in location for r in regions) if location else False
        if not (in_radius or in_region):
            continue
        candidate = Candidate(
            kind="partner",
            name=team.label,
            team_id=team.pk,
            team_name=team.label,
            distance_km=distance,
            position_source="centre" if position else "",
        )
        if team.out_of_action_since:
            candidate.excluded = _("out of action: %(reason)s") % {
                "reason": team.out_of_action_reason
            }
        candidate.reasons = [
            str(team.get_partner_service_display() or _("Partner")),
            _("in its service area"),
        ]
        found.append(candidate)
    return found


def _distance_reason(c: Candidate) -> str:
    if c.distance_km is None:
        return _("distance unknown")
    where = _("from last position") if c.position_source == "field" else _("from centre")
    return _("%(km)s km %(where)s") % {"km": f"{c.distance_km:.1f}", "where": where}


def _open_jobs_reason(c: Candidate) -> str:
    return ngettext("%(n)d open job", "%(n)d open jobs", c.open_jobs) % {"n": c.open_jobs}


def _technician_reasons(c: Candidate, today: date) -> list[str]:
    reasons = [_distance_reason(c), _("on duty") if c.on_duty else _("off duty")]
    reasons.append(_open_jobs_reason(c))
    if c.hv_until and c.hv_until >= today:
        reasons.append(
            _("HV certified until %(month)s") % {"month": date_format(c.hv_until, "Y-m")}
        )
    reasons.extend(c.skills)
    return reasons


def _score(c: Candidate) -> float:
    score = c.distance_km if c.distance_km is not None else UNKNOWN_DISTANCE_KM
    if c.kind == "technician" and not c.on_duty:
        score += OFF_DUTY_PENALTY
    if c.kind == "partner":
        score += PARTNER_PENALTY
    score += PER_OPEN_JOB * c.open_jobs
    score -= SKILL_BONUS * min(len(c.skills), 2)
    return round(score, 1)


# Why a hard filter leaves a candidate out: a code while ranking, words for those shown.
OUT_OF_ACTION, NO_HV, HV_EXPIRED = "out_of_action", "no_hv", "hv_expired"


def _exclusion(c: Candidate, centre: _Centre | None, needs_hv: bool, today: date) -> str:
    if centre is not None and centre.out_of_action is not None:
        return OUT_OF_ACTION
    if needs_hv:
        if c.hv_until is None:
            return NO_HV
        if c.hv_until < today:
            return HV_EXPIRED
    return ""


def _exclusion_text(c: Candidate, centre: _Centre | None) -> str:
    if c.excluded == OUT_OF_ACTION and centre is not None:
        return _("%(centre)s is out of action: %(reason)s") % {
            "centre": centre.label,
            "reason": centre.out_of_action,
        }
    if c.excluded == NO_HV:
        return _("NEV work needs an HV qualification")
    if c.excluded == HV_EXPIRED and c.hv_until:
        return _("HV qualification expired %(day)s") % {"day": date_format(c.hv_until, "Y-m-d")}
    return c.excluded


def rank_candidates(incident: Incident, *, now: datetime | None = None, limit: int = 20) -> Ranking:
    """The technicians and partner teams for ``incident``, best first (at most ``limit``),
    and those left out by a hard filter (the nearest ``limit``), each with its reasons.
    Reads only; no locking."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    need = _need(incident)
    point = _point(incident)
    people = _technicians()
    centres = _centres()
    hv, matched = _skills(need, today)
    on_duty = set(DutyShift.objects.on_duty(now).values_list("user_id", flat=True))
    field_positions = last_field_positions(now=now)
    needs_hv = need.hv
    centre_km: dict[int, float | None] = {}
    for pk, c in people.items():
        centre = centres.get(pk)
        position = field_positions.get(pk) or (centre.position if centre else None)
        if centre is not None:
            c.team_id, c.team_name = centre.pk, centre.label
        if position is not None and position.source == "centre" and centre is not None:
            if centre.pk not in centre_km:  # the people of a centre share its distance
                centre_km[centre.pk] = _distance(point, position)
            c.distance_km = centre_km[centre.pk]
        else:
            c.distance_km = _distance(point, position)
        c.position_source = position.source if position else ""
        c.on_duty = pk in on_duty
        c.hv_until = hv.get(pk)
        c.skills = matched.get(pk, [])
        c.excluded = _exclusion(c, centre, needs_hv, today)
        c.score = _score(c)  # before the load: a floor of the final score
    everyone = [*people.values(), *_partners(incident, point)]
    ranked, excluded = _rank_with_loads(incident, everyone, limit)
    for number, c in enumerate(ranked, start=1):
        c.rank = number
    # Words only for those shown: thousands of candidates are ranked, a few are read.
    for c in [*ranked, *excluded]:
        if c.kind == "partner":
            c.reasons = [_distance_reason(c), *c.reasons, _open_jobs_reason(c)]
        else:
            c.reasons = _technician_reasons(c, today)
            c.excluded = _exclusion_text(c, centres.get(c.user_id or 0))
    return Ranking(incident.pk, need.hv, need.powertrain, ranked, excluded)


def _rank_with_loads(incident, everyone: list[Candidate], limit: int):
    """The best ``limit`` by final score, reading the open jobs of a shortlist only.

    A candidate's score before its load is a floor of its final score (open jobs only add).
    The shortlist is the best ``SHORTLIST * limit`` by that floor; once their loads are
    added, anyone left off whose floor is above the ``limit``-th final score cannot enter
    the top; otherwise the shortlist grows (rarely: many candidates tied on floor)."""
    eligible = sorted((c for c in everyone if not c.excluded), key=_order)
    excluded = sorted((c for c in everyone if c.excluded), key=_order)[:limit]
    size = SHORTLIST * limit
    while True:
        shortlist = eligible[:size]
        _add_loads(incident, [*shortlist, *excluded])
        ranked = sorted(shortlist, key=_order)[:limit]
        rest = eligible[size:]
        if not rest or len(ranked) < limit or rest[0].score > ranked[-1].score:
            return ranked, excluded
        size *= 4


def _add_loads(incident, candidates: list[Candidate]) -> None:
    todo = [c for c in candidates if not c.loads_read]
    people, teams = _loads(
        incident,
        people=[c.user_id for c in todo if c.kind == "technician"],
        teams=[c.team_id for c in todo if c.kind == "partner"],
    )
    for c in todo:
        c.open_jobs = (
            people.get(c.user_id or 0, 0)
            if c.kind == "technician"
            else teams.get(c.team_id or 0, 0)
        )
        c.loads_read = True
        c.score = _score(c)


def _order(c: Candidate):
    distance = c.distance_km if c.distance_km is not None else math.inf
    return (c.score, distance, c.name, c.user_id or 0, c.team_id or 0)
