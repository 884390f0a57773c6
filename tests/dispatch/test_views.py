"""The dispatch control's ranked list, the skill records and the out-of-action flag."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.models import TechnicianSkill
from incidents.models import Incident
from tests import factories
from tests.dispatch.helpers import LUJIAZUI, centre, incident_at, on_shift, technician

pytestmark = pytest.mark.django_db


@pytest.fixture
def tech(org):
    team = centre("lujiazui", LUJIAZUI)
    user = technician("near", team, first_name="Li", last_name="Near")
    now = timezone.now()
    on_shift(user, team, now - timedelta(hours=1), now + timedelta(hours=8))
    return user


def test_the_dispatch_control_lists_candidates_that_dispatch_through_the_incident(
    tech, dispatcher_client
):
    incident = incident_at(now=timezone.now())
    page = dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()
    assert f"/dispatch/incidents/{incident.pk}/candidates/" in page
    fragment = dispatcher_client.get(f"/dispatch/incidents/{incident.pk}/candidates/")
    html = fragment.content.decode()
    assert "Li Near" in html and "km from centre · on duty · 0 open jobs" in html
    assert "Accept recommendation" in html
    assert f'name="assignee" value="{tech.pk}"' in html
    assert f"/incidents/{incident.pk}/dispatch/" in html
    response = dispatcher_client.post(f"/incidents/{incident.pk}/dispatch/", {"assignee": tech.pk})
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).assignee == tech


def test_the_candidates_fragment_is_404_for_an_incident_one_may_not_see(tech, login):
    incident = incident_at(now=timezone.now())
    assert login(tech).get(f"/dispatch/incidents/{incident.pk}/candidates/").status_code == 404


def test_a_manager_records_and_removes_an_hv_qualification(tech, manager_client):
    url = f"/dispatch/technicians/{tech.pk}/"
    missing = manager_client.post(url, {"kind": "hv", "certificate": "HV-9"})
    assert missing.status_code == 422
    assert "An HV qualification needs the date it expires." in missing.content.decode()
    saved = manager_client.post(url, {"kind": "hv", "valid_until": "2027-03-31"})
    assert saved.status_code == 302
    skill = TechnicianSkill.objects.get(user=tech)
    assert str(skill.valid_until) == "2027-03-31"
    listing = manager_client.get("/dispatch/technicians/").content.decode()
    assert "HV qualification · 2027-03-31" in listing
    manager_client.post(f"/dispatch/skills/{skill.pk}/remove/")
    assert not TechnicianSkill.objects.exists()


def test_a_dispatcher_reads_skills_but_cannot_change_them(tech, dispatcher_client):
    url = f"/dispatch/technicians/{tech.pk}/"
    assert dispatcher_client.get(url).status_code == 200
    dispatcher_client.post(url, {"kind": "other", "name": "Welding"})
    assert not TechnicianSkill.objects.exists()


def test_a_manager_marks_a_centre_out_of_action_and_back(tech, manager_client, manager):
    team = tech.memberships.get().team
    url = f"/dispatch/teams/{team.pk}/"
    blank = manager_client.post(url, {"form": "out", "reason": " "})
    assert blank.status_code == 422
    manager_client.post(url, {"form": "out", "reason": "Flooded"})
    team.refresh_from_db()
    assert (team.out_of_action_reason, team.out_of_action_by) == ("Flooded", manager)
    page = manager_client.get(url).content.decode()
    assert "Dispatch recommendation skips this team" in page
    manager_client.post(url, {"form": "back"})
    team.refresh_from_db()
    assert team.out_of_action_since is None


def test_a_member_cannot_mark_their_centre_out_of_action(tech, login):
    team = tech.memberships.get().team
    login(tech).post(f"/dispatch/teams/{team.pk}/", {"form": "out", "reason": "x"})
    team.refresh_from_db()
    assert team.out_of_action_since is None


def test_a_partner_service_area_is_saved(manager_client):
    partner = factories.TeamFactory(slug="tow", name="Quick Tow", kind="partner")
    response = manager_client.post(
        f"/dispatch/teams/{partner.pk}/",
        {
            "form": "area",
            "latitude": "31.2",
            "longitude": "121.5",
            "service_radius_km": "30",
            "service_regions": "Pudong , Minhang,",
            "partner_service": "tow",
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.service_radius_km, partner.service_regions) == (30, "Pudong, Minhang")
    half = manager_client.post(f"/dispatch/teams/{partner.pk}/", {"form": "area", "latitude": "31"})
    assert half.status_code == 422


def test_the_roster_is_linked_only_for_those_it_opens_for(tech, login, manager_client):
    """The crawl found logistics and legal following the roster link of the centres page to
    a 404: they may read the centres, not the roster."""
    team = tech.memberships.get().team
    roster = f"/teams/{team.pk}/roster/"
    assert roster in manager_client.get("/dispatch/teams/").content.decode()
    assert manager_client.get(roster).status_code == 200
    outsider = login(factories.UserFactory(username="lg", roles=["logistics"]))
    for page in ("/dispatch/teams/", f"/dispatch/teams/{team.pk}/"):
        response = outsider.get(page)
        assert response.status_code == 200
        assert roster not in response.content.decode()
    assert outsider.get(roster).status_code == 404
    member = login(tech)
    assert member.get(roster).status_code == 200
