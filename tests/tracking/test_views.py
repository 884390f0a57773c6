from datetime import timedelta

import time_machine
from django.urls import reverse

from incidents import services as incident_services
from incidents.models import EventKind
from incidents.timeline import note, write
from tests.tracking.conftest import at
from tracking import services
from tracking.models import TrackingLink


def page_url(incident, **query) -> str:
    token = TrackingLink.objects.get(incident=incident).token
    url = reverse("tracking:page", args=[token])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_tracking_page_is_public_and_shows_nothing_internal(client, dispatched, dispatcher):
    services.set_eta(dispatched, actor=dispatcher, eta=at(70), now=at(12))
    write([note(dispatched, actor=dispatcher, at=at(13), text="INTERNAL-NOTE customer is rude")])
    type(dispatched).objects.filter(pk=dispatched.pk).update(escalation_level=2)
    with time_machine.travel(at(15), tick=False):
        response = client.get(page_url(dispatched))
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert 'lang="zh-hans"' in body  # the customer's language (their record's)
    assert dispatched.number in body and dispatched.title in body
    assert "技术员明正在赶来" in body and "11:10" in body and "400-555-0199" in body
    for internal in ("李明", "INTERNAL-NOTE", "Zhang Wei", "138", dispatched.asset_ref, "升级"):
        assert internal not in body, internal
    assert 'hx-trigger="every 30s"' in body
    assert "<script>" not in body  # CSP: no inline script; htmx comes from /static/


def test_the_page_switches_language_and_htmx_gets_only_the_status(client, dispatched):
    english = client.get(page_url(dispatched, lang="en"))
    assert 'lang="en"' in english.content.decode()
    assert "is on the way" in english.content.decode()
    part = client.get(page_url(dispatched, lang="en"), HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert body.startswith('<div id="track-status"') and "<html" not in body


def test_polling_stops_once_resolved_and_the_survey_is_linked(client, dispatched):
    incident_services.arrive_incident(dispatched, actor=None, now=at(30))
    incident_services.resolve_incident(dispatched, actor=None, resolution="Fixed.", now=at(60))
    with time_machine.travel(at(61), tick=False):
        body = client.get(page_url(dispatched)).content.decode()
    assert "hx-trigger" not in body and "htmx.min.js" not in body
    assert reverse("assessments:survey", args=[dispatched.survey.token]) in body


def test_an_expired_or_unknown_link_says_so(client, settings, dispatched):
    settings.TRACKING_LINK_DAYS = 30
    incident_services.cancel_incident(dispatched, actor=None, reason="Duplicate.", now=at(20))
    url = page_url(dispatched)
    with time_machine.travel(at(20) + timedelta(days=29), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(at(20) + timedelta(days=30, minutes=1), tick=False):
        expired = client.get(url)
    assert expired.status_code == 410
    assert "已过期" in expired.content.decode()
    assert client.get(reverse("tracking:page", args=["x" * 32])).status_code == 404


def test_the_page_reads_a_few_queries(client, dispatched, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get(page_url(dispatched)).status_code == 200


def test_the_dispatcher_sets_the_eta_from_the_incident_page(client, dispatched, dispatcher):
    client.force_login(dispatcher)
    detail = client.get(reverse("incidents:detail", args=[dispatched.pk])).content.decode()
    assert 'id="tracking-panel"' in detail and "/t/" in detail
    with time_machine.travel(at(12), tick=False):
        response = client.post(
            reverse("tracking:set_eta", args=[dispatched.pk]), {"eta": "2026-11-30T11:10"}
        )
    assert response.status_code == 302
    assert services.current_eta(dispatched) == at(70)
    with time_machine.travel(at(80), tick=False):
        prompt = client.get(reverse("incidents:detail", args=[dispatched.pk])).content.decode()
    assert "预计到达时间已过" in prompt or "has passed" in prompt


def test_a_technician_cannot_set_the_eta(client, dispatched, technician):
    client.force_login(technician)
    response = client.post(
        reverse("tracking:set_eta", args=[dispatched.pk]), {"eta": "2026-11-30T11:10"}
    )
    assert response.status_code in (302, 403)
    assert services.current_eta(dispatched) is None
    assert not dispatched.events.filter(kind=EventKind.NOTE).exists()


def test_customer_service_approves_a_complaint_outcome_on_the_incident_page(client, org):
    from incidents.models import Status
    from tests import factories

    complaint = factories.report(category_slug="complaint", now=at(0), reported_at=at(0))
    type(complaint).objects.filter(pk=complaint.pk).update(
        status=Status.RESOLVED, resolved_at=at(30), resolution="Fee refunded."
    )
    service = factories.UserFactory(username="cs", roles=["customer_service"])
    client.force_login(service)
    page = client.get(reverse("incidents:detail", args=[complaint.pk])).content.decode()
    assert "Fee refunded." in page  # the form starts from the resolution
    response = client.post(
        reverse("tracking:approve_outcome", args=[complaint.pk]),
        {"text": "We refunded the call-out fee."},
    )
    assert response.status_code == 302
    assert complaint.complaint_outcome.approved_by == service
    after = client.get(reverse("incidents:detail", args=[complaint.pk])).content.decode()
    assert "We refunded the call-out fee." in after and "approve_outcome" not in after
