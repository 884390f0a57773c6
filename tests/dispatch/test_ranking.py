"""The dispatch recommendation: distance, HV qualification, duty, load, out of action."""

from datetime import date, timedelta

import pytest
import time_machine

from dispatch import services
from incidents import services as incident_services
from teams import services as team_services
from tests import factories
from tests.dispatch.helpers import (
    LUJIAZUI,
    SONGJIANG,
    centre,
    incident_at,
    local,
    on_shift,
    technician,
)
from tests.vehicles.helpers import make_model, make_vehicle, with_check_digit

pytestmark = pytest.mark.django_db
NOW = local(2026, 3, 2, 10, 0)  # a Monday, 10:00 in Shanghai


@pytest.fixture
def near_far(db):
    near_centre = centre("lujiazui", LUJIAZUI)
    far_centre = centre("songjiang", SONGJIANG)
    near = technician("near", near_centre, first_name="Li", last_name="Near")
    far = technician("far", far_centre, first_name="Wang", last_name="Far")
    for user, team in ((near, near_centre), (far, far_centre)):
        on_shift(user, team, NOW - timedelta(hours=2), NOW + timedelta(hours=6))
    return near, far


def names(ranking):
    return [c.name for c in ranking.candidates]


def test_haversine_measures_great_circle_km():
    shanghai_to_beijing = services.haversine_km(31.2304, 121.4737, 39.9042, 116.4074)
    assert shanghai_to_beijing == pytest.approx(1067, abs=5)
    assert services.haversine_km(31.0, 121.0, 31.0, 121.0) == 0


def test_nearest_on_duty_technician_first_with_reasons(near_far):
    incident = incident_at(now=NOW)
    ranking = services.rank_candidates(incident, now=NOW)
    assert names(ranking)[:2] == ["Li Near", "Wang Far"]
    first = ranking.candidates[0]
    assert first.rank == 1
    assert first.distance_km == pytest.approx(3.2, abs=0.2)
    assert first.reasons[:3] == ["3.2 km from centre", "on duty", "0 open jobs"]
    assert first.score < ranking.candidates[1].score


def test_incident_without_coordinates_ranks_by_duty_and_load(near_far):
    incident = incident_at((None, None), now=NOW)
    ranking = services.rank_candidates(incident, now=NOW)
    assert {c.distance_km for c in ranking.candidates} == {None}
    assert "distance unknown" in ranking.candidates[0].reasons


def test_off_duty_technician_falls_behind_a_farther_one_on_duty(near_far):
    near, _far = near_far
    near.duty_shifts.all().delete()
    ranking = services.rank_candidates(incident_at(now=NOW), now=NOW)
    assert names(ranking)[:2] == ["Wang Far", "Li Near"]
    assert "off duty" in ranking.candidates[1].reasons


def test_open_jobs_weigh_against_a_technician(near_far):
    near, _far = near_far
    for _n in range(3):
        busy = incident_at(now=NOW)
        incident_services.dispatch_incident(busy, actor=None, assignee=near, now=NOW)
    incident = incident_at(now=NOW)
    ranking = services.rank_candidates(incident, now=NOW)
    by_name = {c.name: c for c in ranking.candidates}
    assert by_name["Li Near"].open_jobs == 3
    assert "3 open jobs" in by_name["Li Near"].reasons
    assert names(ranking)[0] == "Wang Far"


def test_resolved_jobs_do_not_count_as_load(near_far):
    near, _far = near_far
    done = incident_at(now=NOW)
    incident_services.dispatch_incident(done, actor=None, assignee=near, now=NOW)
    incident_services.resolve_incident(done, actor=None, resolution="Fixed.", now=NOW)
    ranking = services.rank_candidates(incident_at(now=NOW), now=NOW)
    assert ranking.candidates[0].open_jobs == 0


@pytest.fixture
def nev_incident(near_far):
    vin = with_check_digit("LHYEV7C40RG100137")
    make_vehicle(vin, model=make_model())
    return incident_at(now=NOW, asset_ref=vin)


def hv(user, until: date):
    return services.add_skill(user, actor=None, kind="hv", valid_until=until, certificate="HV-1")


def test_nev_work_needs_a_valid_hv_qualification(near_far, nev_incident):
    _near, far = near_far
    hv(far, date(2027, 3, 31))
    ranking = services.rank_candidates(nev_incident, now=NOW)
    assert ranking.needs_hv
    assert names(ranking) == ["Wang Far"]
    assert "HV certified until 2027-03" in ranking.candidates[0].reasons
    assert [(c.name, c.excluded) for c in ranking.excluded] == [
        ("Li Near", "NEV work needs an HV qualification")
    ]


def test_hv_qualification_expires_at_the_end_of_its_last_day_in_shanghai(near_far, nev_incident):
    near, _far = near_far
    hv(near, date(2026, 3, 2))
    last_minute = local(2026, 3, 2, 23, 59)
    next_day = local(2026, 3, 3, 0, 0)  # 2026-03-02 16:00 UTC: still the 2nd in UTC
    assert "Li Near" in names(services.rank_candidates(nev_incident, now=last_minute))
    ranking = services.rank_candidates(nev_incident, now=next_day)
    assert "Li Near" not in names(ranking)
    assert {c.name: c.excluded for c in ranking.excluded}["Li Near"] == (
        "HV qualification expired 2026-03-02"
    )


def test_ice_work_needs_no_hv_and_a_matching_skill_helps(near_far):
    _near, far = near_far
    vin = with_check_digit("LHYDC5C40RG100138")
    make_vehicle(vin, model=make_model("ic5", powertrain="ice", name="Huayuan IC5"))
    services.add_skill(far, actor=None, kind="powertrain", powertrain="ice")
    ranking = services.rank_candidates(incident_at(now=NOW, asset_ref=vin), now=NOW)
    assert not ranking.needs_hv and not ranking.excluded
    by_name = {c.name: c for c in ranking.candidates}
    assert "Internal combustion engine (ICE)" in by_name["Wang Far"].reasons
    assert by_name["Wang Far"].skills and not by_name["Li Near"].skills


def test_duty_follows_the_rotation_in_shanghai_time(near_far):
    near, far = near_far
    lujiazui = near.memberships.get().team
    near.duty_shifts.all().delete()
    far.duty_shifts.all().delete()
    factories.MembershipFactory(
        team=lujiazui, user=factories.UserFactory(username="lead"), role="leader"
    )
    with time_machine.travel(local(2026, 3, 1, 12, 0), tick=False):  # Sunday
        team_services.save_rotation(
            lujiazui,
            actor=None,
            name="Day shift",
            kind="field",
            weekdays="12345",
            start_time=local(2026, 1, 1, 8, 0).time(),
            end_time=local(2026, 1, 1, 20, 0).time(),
            starts_on=date(2026, 3, 1),
            ends_on=None,
            take_turns=False,
            members=[near],
        )
    incident = incident_at(now=NOW)
    monday_morning = services.rank_candidates(incident, now=local(2026, 3, 2, 8, 0))
    assert {c.name: c.on_duty for c in monday_morning.candidates}["Li Near"] is True
    monday_night = services.rank_candidates(incident, now=local(2026, 3, 2, 20, 0))
    assert {c.name: c.on_duty for c in monday_night.candidates}["Li Near"] is False


def test_leave_takes_a_technician_off_duty(near_far):
    near, _far = near_far
    lujiazui = near.memberships.get().team
    team_services.add_override(
        lujiazui,
        actor=None,
        kind="leave",
        user=near,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(days=1),
        reason="Sick",
    )
    ranking = services.rank_candidates(incident_at(now=NOW), now=NOW)
    assert {c.name: c.on_duty for c in ranking.candidates}["Li Near"] is False


def test_out_of_action_centre_is_skipped_with_its_reason(near_far):
    near, _far = near_far
    lujiazui = near.memberships.get().team
    team_services.mark_out_of_action(lujiazui, actor=None, reason="Flooded", now=NOW)
    ranking = services.rank_candidates(incident_at(now=NOW), now=NOW)
    assert names(ranking) == ["Wang Far"]
    assert ranking.excluded[0].excluded == "Lujiazui is out of action: Flooded"
    team_services.back_in_action(lujiazui, actor=None)
    assert names(services.rank_candidates(incident_at(now=NOW), now=NOW))[0] == "Li Near"


def test_partners_appear_by_service_area(near_far):
    tow = factories.TeamFactory(slug="tow", name="Quick Tow", kind="partner")
    team_services.set_service_area(
        tow,
        actor=None,
        latitude=LUJIAZUI[0],
        longitude=LUJIAZUI[1],
        service_radius_km=10,
        partner_service="tow",
    )
    distant = factories.TeamFactory(slug="far-tow", name="Far Tow", kind="partner")
    team_services.set_service_area(
        distant, actor=None, latitude=SONGJIANG[0], longitude=SONGJIANG[1], service_radius_km=5
    )
    by_region = factories.TeamFactory(slug="shop", name="Huangpu Shop", kind="partner")
    team_services.set_service_area(
        by_region, actor=None, latitude=None, longitude=None, service_regions="Huangpu, Jing'an"
    )
    incident = incident_at(now=NOW, location="Nanjing Road, Huangpu")
    ranking = services.rank_candidates(incident, now=NOW)
    partners = {c.name: c for c in ranking.candidates if c.kind == "partner"}
    assert set(partners) == {"Quick Tow", "Huangpu Shop"}
    assert partners["Quick Tow"].reasons[:2] == ["3.2 km from centre", "Towing"]
    assert partners["Quick Tow"].team_id == tow.pk and partners["Quick Tow"].user_id is None


def test_the_ranking_reads_a_fixed_number_of_queries(near_far, django_assert_max_num_queries):
    centre_ = centre("more", SONGJIANG)
    for n in range(10):
        hv(technician(f"extra{n}", centre_), date(2027, 1, 1))
    incident = incident_at(now=NOW)
    with django_assert_max_num_queries(9):
        ranking = services.rank_candidates(incident, now=NOW)
    assert len(ranking.candidates) == 12
