from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services as incident_services
from messaging.models import CustomerMessage
from notifications.models import Notification
from tests import factories
from tests.tracking.conftest import DAY, at
from tracking import hooks, services
from tracking.exceptions import EtaNotAllowed, OutcomeAlreadyApproved
from tracking.models import Eta, EtaChange, TrackingLink


def told(incident, kind=None) -> list[CustomerMessage]:
    rows = CustomerMessage.objects.filter(incident=incident).order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def test_a_report_gets_a_tracking_link_and_the_customer_is_told_once(reported):
    link = TrackingLink.objects.get(incident=reported)
    assert len(link.token) >= 32
    [message] = told(reported, "received")
    assert message.params["tracking_url"].endswith(f"/t/{link.token}/")
    assert message.params["number"] == reported.number
    assert message.params["service_line"] == "400-555-0199"
    hooks.tell_received(reported, actor=None, now=at(1))  # the hook again: nothing new
    assert len(told(reported, "received")) == 1
    assert TrackingLink.objects.filter(incident=reported).count() == 1


def test_dispatch_without_an_eta_tells_the_customer_when_the_eta_is_set(dispatched, dispatcher):
    assert told(dispatched, "dispatched") == []
    services.set_eta(dispatched, actor=dispatcher, eta=at(70), now=at(12))
    [message] = told(dispatched, "dispatched")
    assert message.params["technician"] == "明"  # the given name only, never 李明
    assert message.params["eta"] == "2026-11-30 11:10"  # Shanghai time
    services.set_eta(dispatched, actor=dispatcher, eta=at(90), now=at(40))
    [changed] = told(dispatched, "eta_changed")
    assert changed.params["eta"] == "2026-11-30 11:30"
    assert len(told(dispatched, "dispatched")) == 1


def test_an_eta_set_before_dispatch_goes_with_the_dispatch_message(
    confirmed, dispatcher, technician
):
    services.set_eta(confirmed, actor=dispatcher, eta=at(60), now=at(6))
    assert told(confirmed, "eta_changed") == []  # not dispatched yet: nothing to tell
    incident_services.dispatch_incident(confirmed, actor=None, assignee=technician, now=at(10))
    [message] = told(confirmed, "dispatched")
    assert message.params["eta"] == "2026-11-30 11:00"


def test_the_eta_history_keeps_who_when_old_and_new(confirmed, dispatcher, manager):
    services.set_eta(confirmed, actor=dispatcher, eta=at(60), now=at(6))
    services.set_eta(confirmed, actor=manager, eta=at(80), now=at(8))
    latest, first = services.eta_history(confirmed)
    assert (first.changed_by, first.old_eta, first.new_eta) == (dispatcher, None, at(60))
    assert (latest.changed_by, latest.old_eta, latest.new_eta) == (manager, at(60), at(80))
    assert Eta.objects.get(incident=confirmed).eta == at(80)
    assert services.current_eta(confirmed) == at(80)


def test_set_eta_refuses_the_past_a_technician_and_after_arrival(
    dispatched, dispatcher, technician
):
    with pytest.raises(ValidationError):
        services.set_eta(dispatched, actor=dispatcher, eta=at(0), now=at(12))
    with pytest.raises(PermissionDenied):
        services.set_eta(dispatched, actor=technician, eta=at(60), now=at(12))
    incident_services.arrive_incident(dispatched, actor=None, now=at(30))
    with pytest.raises(EtaNotAllowed):
        services.set_eta(dispatched, actor=dispatcher, eta=at(60), now=at(31))
    assert EtaChange.objects.filter(incident=dispatched).count() == 0


def test_a_lapsed_eta_prompts_its_dispatcher_once_and_a_new_eta_is_watched_again(
    dispatched, dispatcher
):
    services.set_eta(dispatched, actor=dispatcher, eta=at(60), now=at(12))
    assert services.prompt_lapsed_etas(now=at(59)) == 0
    with time_machine.travel(at(61), tick=False):
        assert services.prompt_lapsed_etas() == 1
        assert services.prompt_lapsed_etas() == 0  # claimed: once
    prompts = Notification.objects.filter(user=dispatcher, event="eta_lapsed")
    assert prompts.filter(channel="inapp").count() == 1
    services.set_eta(dispatched, actor=dispatcher, eta=at(90), now=at(62))
    assert services.prompt_lapsed_etas(now=at(80)) == 0
    assert services.prompt_lapsed_etas(now=at(91)) == 1
    incident_services.arrive_incident(dispatched, actor=None, now=at(95))
    assert services.lapsed_etas(at(200)).count() == 0


def test_on_site_and_cancelled_are_told(dispatched, org):
    incident_services.arrive_incident(dispatched, actor=None, now=at(30))
    [on_site] = told(dispatched, "on_site")
    assert on_site.params["technician"] == "明"
    other = factories.report(reported_at=DAY, now=DAY, customer_phone="138 0013 8001")
    incident_services.cancel_incident(other, actor=None, reason="Duplicate.", now=at(3))
    [cancelled] = told(other, "cancelled")
    assert cancelled.params["service_line"] == "400-555-0199"


def test_a_complaint_outcome_is_approved_by_customer_service_and_told_once(org, dispatcher):
    complaint = factories.report(
        category_slug="complaint", reported_at=DAY, now=DAY, customer_phone="138 0013 8002"
    )
    for step, kwargs in (
        (incident_services.confirm_incident, {}),
        (incident_services.dispatch_incident, {"team": org["service_centre"]}),
        (incident_services.arrive_incident, {}),
        (incident_services.resolve_incident, {"resolution": "Refunded the call-out fee."}),
    ):
        step(complaint, actor=None, now=at(10), **kwargs)
    service = factories.UserFactory(username="cs", roles=["customer_service"])
    with pytest.raises(PermissionDenied):
        services.approve_complaint_outcome(complaint, actor=dispatcher, text="x", now=at(20))
    with pytest.raises(ValidationError):
        services.approve_complaint_outcome(complaint, actor=service, text=" ", now=at(20))
    services.approve_complaint_outcome(
        complaint, actor=service, text="We refund the call-out fee.", now=at(20)
    )
    [message] = told(complaint, "complaint_outcome")
    assert message.params["outcome"] == "We refund the call-out fee."
    with pytest.raises(OutcomeAlreadyApproved):
        services.approve_complaint_outcome(complaint, actor=service, text="Again", now=at(21))
    assert len(told(complaint, "complaint_outcome")) == 1


def test_a_link_expires_tracking_link_days_after_closing(settings, reported):
    settings.TRACKING_LINK_DAYS = 30
    assert services.link_expires_at(reported) is None
    reported.closed_at = DAY + timedelta(days=1)
    assert not services.is_expired(reported, DAY + timedelta(days=30))
    assert services.is_expired(reported, DAY + timedelta(days=31))


@pytest.mark.parametrize(
    ("first_name", "given"), [("李娜", "娜"), ("Sam Lee", "Sam"), ("", ""), ("王", "王")]
)
def test_the_customer_knows_the_technician_by_given_name_only(first_name, given):
    assert services.given_name(factories.UserFactory.build(first_name=first_name)) == given
