"""The Django admin goes through the services: status read-only, timeline untouchable."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import (
    Directive,
    DirectiveNote,
    EventKind,
    Incident,
    IncidentEvent,
    Status,
)
from tests import factories
from tests.factories import report


@pytest.fixture
def admin_client(db, org, login):
    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = login(user)
    client.user = user
    return client


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def form_data(response) -> dict:
    """The POST data the change page would submit unchanged (main form and inlines)."""
    form = response.context["adminform"].form
    data = {name: _value(form[name]) for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = _value(formset.management_form[name])
        for sub in formset.forms:
            for name in sub.fields:
                data[sub.add_prefix(name)] = _value(sub[name])
    return {k: v for k, v in data.items() if v not in ("", [])}


ADMIN_MODELS = [
    "incidents_incident",
    "incidents_incidentevent",
    "incidents_directive",
    "incidents_directivenote",
    "incidents_incidentphoto",
    "incidents_category",
    "incidents_responsepolicy",
    "teams_team",
    "teams_membership",
    "teams_dutyshift",
]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_changelist_opens(admin_client, model):
    report(grade="I")
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


def test_incident_changelist_filters_overdue(admin_client):
    late = report(title="Late one", reported_at=timezone.now() - timedelta(hours=3))
    report(title="Fresh one")
    response = admin_client.get(reverse("admin:incidents_incident_changelist"), {"overdue": "yes"})
    assert [i.pk for i in response.context["cl"].result_list] == [late.pk]


def test_incident_page_shows_status_and_deadlines_read_only(admin_client):
    incident = report(grade="II")
    response = admin_client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for field in ("status", "grade", "confirm_deadline", "confirmed_at", "assignee"):
        assert field not in form.fields
    assert "title" in form.fields
    assert b"Reported" in response.content  # the read-only timeline inline


def test_editing_facts_goes_through_update_incident(admin_client):
    incident = report(grade="III")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = form_data(admin_client.get(url))
    data.update(title="Battery pack will not charge at all", status="closed")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Battery pack will not charge at all"
    assert incident.status == Status.REPORTED
    event = incident.events.get(kind=EventKind.UPDATED)
    assert event.data["changed"]["title"][1] == "Battery pack will not charge at all"
    assert event.actor == admin_client.user


def test_adding_an_incident_logs_it_through_report_incident(admin_client):
    url = reverse("admin:incidents_incident_add")
    data = form_data(admin_client.get(url))
    called = timezone.localtime() - timedelta(minutes=20)
    data.pop("reported_at", None)
    data.update(
        title="Charging station fire",
        category=str(factories.category("safety-accident").pk),
        grade="I",
        channel="hotline",
        reported_at_0=called.strftime("%Y-%m-%d"),
        reported_at_1=called.strftime("%H:%M:%S"),
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    incident = Incident.objects.get(title="Charging station fire")
    assert incident.number and incident.reporter == admin_client.user
    assert incident.events.filter(kind=EventKind.REPORTED).count() == 1
    assert incident.directives.count() == 5
    assert incident.reported_at == called.replace(microsecond=0)


def test_confirm_action_confirms_reported_and_reports_the_refused(admin_client, manager):
    waiting = report(grade="III")
    done = report(grade="III")
    services.confirm_incident(done, actor=manager)

    response = admin_client.post(
        reverse("admin:incidents_incident_changelist"),
        {"action": "confirm_selected", ACTION_CHECKBOX_NAME: [waiting.pk, done.pk]},
        follow=True,
    )

    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert waiting.events.get(kind=EventKind.CONFIRMED).actor == admin_client.user
    assert done.events.filter(kind=EventKind.CONFIRMED).count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert any(done.number in m for m in messages)


def test_cancel_action_asks_for_a_reason_first(admin_client):
    incident = report(grade="III")
    url = reverse("admin:incidents_incident_changelist")
    selection = {"action": "cancel_selected", ACTION_CHECKBOX_NAME: [incident.pk]}

    page = admin_client.post(url, selection)
    assert page.status_code == 200
    assert b"reason" in page.content
    assert Incident.objects.get(pk=incident.pk).status == Status.REPORTED

    empty = admin_client.post(url, {**selection, "apply": "yes", "reason": " "})
    assert empty.status_code == 200
    assert Incident.objects.get(pk=incident.pk).status == Status.REPORTED

    admin_client.post(url, {**selection, "apply": "yes", "reason": "Duplicate call."})
    incident.refresh_from_db()
    assert incident.status == Status.CANCELLED
    assert incident.cancel_reason == "Duplicate call."


def test_incidents_cannot_be_deleted_in_the_admin(admin_client):
    incident = report()
    url = reverse("admin:incidents_incident_delete", args=[incident.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_timeline_is_read_only_in_the_admin(admin_client):
    event = report().events.first()
    assert admin_client.get(reverse("admin:incidents_incidentevent_add")).status_code == 403
    change = admin_client.get(reverse("admin:incidents_incidentevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert not change.context["adminform"].form.fields  # view only
    delete = reverse("admin:incidents_incidentevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert IncidentEvent.objects.filter(pk=event.pk).exists()


def test_directive_progress_from_the_admin_goes_through_the_service(admin_client, org):
    directive = report(grade="I").directives.get(team=org["logistics"])
    url = reverse("admin:incidents_directive_change", args=[directive.pk])
    page = admin_client.get(url)
    data = form_data(page)
    new_progress = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if type(inline.opts).__name__ == "NewProgressInline"
    )
    data[f"{new_progress.prefix}-0-text"] = "Spare battery on the way."

    response = admin_client.post(url, data)

    assert response.status_code == 302
    note = DirectiveNote.objects.get(directive=directive)
    assert note.text == "Spare battery on the way."
    assert note.author == admin_client.user
    assert directive.incident.events.filter(kind=EventKind.DIRECTIVE_UPDATED).count() == 1


def test_mark_done_action_uses_the_service(admin_client, org):
    directive = report(grade="I").directives.get(team=org["legal"])
    admin_client.post(
        reverse("admin:incidents_directive_changelist"),
        {"action": "mark_done", ACTION_CHECKBOX_NAME: [directive.pk]},
    )
    directive = Directive.objects.get(pk=directive.pk)
    assert directive.status == "done"
    assert directive.completed_at is not None
