"""The regulatory panel and the report form, for every role that reaches them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regulatory import services
from regulatory.models import RegulatoryCase, RegulatoryReport, ReportRule
from tests import factories


@pytest.fixture
def fire(org, dispatcher, vehicle):
    incident = factories.report(
        dispatcher,
        grade="I",
        title="EV smoking at a charger",
        category_slug="safety-accident",
        asset_ref=vehicle.vin,
        location="Pudong, charging bay 4",
        impact_scope="One car burnt out; no one hurt.",
        description="Smoke from the battery pack while charging.",
    )
    rule = ReportRule.objects.get(name="NEV fire / smoke / thermal runaway")
    services.open_case(incident, rule=rule, actor=dispatcher)
    return incident


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["dispatcher", "manager", "legal"])
def test_the_panel_shows_the_reports_to_each_desk_role(fire, login, role):
    user = factories.UserFactory(username=f"r-{role}", roles=[role])
    page = login(user).get(reverse("incidents:detail", args=[fire.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="regulatory-panel"' in html
    assert "First report to the regulator" in html and "Detailed report" in html


@pytest.mark.django_db
def test_a_technician_sees_no_panel_and_no_form(fire, technician, login):
    from incidents.models import Incident

    Incident.objects.filter(pk=fire.pk).update(assignee=technician, status="dispatched")
    client = login(technician)
    page = client.get(reverse("incidents:detail", args=[fire.pk]))
    assert page.status_code == 200 and b"regulatory-panel" not in page.content
    report = RegulatoryReport.objects.filter(case__incident=fire).first()
    assert client.get(reverse("regulatory:report", args=[report.pk])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["dispatcher", "manager", "legal"])
def test_the_report_form_is_prefilled_for_each_role(fire, vehicle, login, role):
    user = factories.UserFactory(username=f"f-{role}", roles=[role])
    report = RegulatoryReport.objects.get(case__incident=fire, kind="reg_first")
    page = login(user).get(reverse("regulatory:report", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for text in (vehicle.vin, "Pudong, charging bay 4", "One car burnt out", "Smoke from"):
        assert text in html
    assert "print.css" in html
    assert ("Record as filed" in html) == (role != "dispatcher")


@pytest.mark.django_db
def test_legal_files_the_report_from_its_form(fire, legal, login):
    report = RegulatoryReport.objects.get(case__incident=fire, kind="reg_first")
    url = reverse("regulatory:report", args=[report.pk])
    form = {
        "vehicle": "V",
        "occurred_at": "2026-11-20 23:30",
        "place": "Pudong",
        "consequences": "None hurt",
        "initial_cause": "Cell short",
        "reference": "SAMR-1",
    }
    response = login(legal).post(url, form)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.filed_by == legal and report.content["initial_cause"] == "Cell short"
    again = login(legal).get(url)
    assert b"Reported at" in again.content and b"Cell short" in again.content


@pytest.mark.django_db
def test_the_desk_starts_the_reports_and_marks_casualties(org, dispatcher, dispatcher_client):
    incident = factories.report(dispatcher, grade="II", category_slug="safety-accident")
    rule = ReportRule.objects.get(name="NEV fire / smoke / thermal runaway")
    page = dispatcher_client.get(reverse("incidents:detail", args=[incident.pk]))
    assert b"Start reports to the regulator" in page.content
    dispatcher_client.post(reverse("regulatory:start", args=[incident.pk]), {"rule": rule.pk})
    case = RegulatoryCase.objects.get(incident=incident)
    dispatcher_client.post(reverse("regulatory:severe", args=[incident.pk]), {"severe": "on"})
    case.refresh_from_db()
    assert case.severe and case.severe_set_by == dispatcher


@pytest.mark.django_db
def test_an_incident_the_user_may_not_see_is_404(fire, other_technician, login):
    from django.contrib.auth.models import Permission

    other_technician.user_permissions.add(Permission.objects.get(codename="add_regulatorycase"))
    response = login(other_technician).post(reverse("regulatory:severe", args=[fire.pk]))
    assert response.status_code == 404
