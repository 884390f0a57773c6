"""Each role's home shows its own work, and the work part refreshes itself (HTMX)."""

import pytest
from django.test import Client
from django.urls import reverse

from incidents import services
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_technician_lands_on_the_job_list(technician):
    response = _client(technician).get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("incidents:my_jobs")


def test_dispatcher_home_is_the_queue(dispatcher, org):
    incident = factories.report(dispatcher, title="Bus will not start")
    html = _client(dispatcher).get(reverse("home")).content.decode()
    assert "Awaiting confirmation" in html and incident.number in html


def test_legal_home_lists_complaints_not_the_dispatch_queue(org):
    legal = factories.UserFactory(roles=["legal"])
    complaint = factories.report(category_slug="complaint", title="Owner threatens lawsuit")
    breakdown = factories.report(title="Flat tyre on the ring road")
    html = _client(legal).get(reverse("home")).content.decode()
    assert "Open complaints and safety accidents" in html
    assert complaint.number in html and breakdown.number not in html
    assert "Awaiting confirmation" not in html


def test_partner_home_shows_its_teams_jobs_only(org, manager):
    partner_team = factories.TeamFactory(slug="tow", kind="partner")
    contact = factories.UserFactory(roles=[])
    factories.MembershipFactory(team=partner_team, user=contact)
    theirs = factories.report(title="Tow needed")
    services.confirm_incident(theirs, actor=manager)
    services.dispatch_incident(theirs, actor=manager, team=partner_team)
    other = factories.report(title="Not theirs")
    html = _client(contact).get(reverse("home")).content.decode()
    assert theirs.number in html and other.number not in html


def test_home_refresh_returns_only_the_work_part(dispatcher, org):
    client = _client(dispatcher)
    full = client.get(reverse("home")).content.decode()
    assert 'id="home-work"' in full and "hx-trigger" in full
    factories.report(dispatcher, title="Reported while the page was open")
    part = client.get(reverse("home"), HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<div id="home-work"')
    assert "Reported while the page was open" in part and "<html" not in part


def test_home_refresh_query_count_does_not_grow_with_incidents(
    dispatcher, org, django_assert_max_num_queries
):
    client = _client(dispatcher)
    factories.report(dispatcher)
    client.get(reverse("home"), HTTP_HX_REQUEST="true")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"), HTTP_HX_REQUEST="true")
    for n in range(6):
        factories.report(dispatcher, title=f"More {n}")
    with django_assert_max_num_queries(len(one)):
        client.get(reverse("home"), HTTP_HX_REQUEST="true")


def test_logistics_home_is_the_parts_work_not_the_dispatch_queue(org):
    clerk = factories.UserFactory(roles=["logistics"])
    factories.report(title="Bus will not start")
    html = _client(clerk).get(reverse("home")).content.decode()
    assert "Logistics work" in html and "transfers to receive" in html
    assert "Awaiting confirmation" not in html
