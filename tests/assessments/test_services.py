import base64
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from assessments import services
from assessments.exceptions import AlreadySubmitted, NotAssessable, SignOffExists, SurveyClosed
from assessments.models import ActionStatus, CorrectiveAction, Survey
from customers.models import Customer
from incidents import services as incident_services
from incidents.models import Status
from tests.assessments.conftest import utc, walk
from tests.factories import UserFactory

NOW = utc(2026, 11, 2, 10, 0)


def _submit(incident, user, now=NOW):
    return services.save_assessment(
        incident, actor=user, cause="Worn contactor.", summary="Replaced.", submit=True, now=now
    )


# --- the close rule --------------------------------------------------------------------


@pytest.mark.parametrize("grade", ["I", "II"])
def test_level_i_and_ii_cannot_close_without_a_submitted_assessment(
    grade, resolved_incident, manager
):
    incident = resolved_incident(grade)
    with pytest.raises(ValidationError):
        incident_services.close_incident(incident, actor=manager, now=NOW)
    services.save_assessment(incident, actor=manager, cause="draft", now=NOW)
    with pytest.raises(ValidationError):  # a draft is not enough
        incident_services.close_incident(incident, actor=manager, now=NOW)
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    _submit(incident, manager)
    incident_services.close_incident(incident, actor=manager, now=NOW)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED


def test_level_iii_closes_without_an_assessment(resolved_incident, manager):
    incident = resolved_incident("III")
    incident_services.close_incident(incident, actor=manager, now=NOW)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED


def test_only_resolved_or_closed_incidents_are_assessed(org, manager):
    incident = walk("II", utc(2026, 11, 2, 2, 0), confirm=5)
    with pytest.raises(NotAssessable):
        services.save_assessment(incident, actor=manager, cause="x", now=NOW)


def test_submit_requires_cause_and_summary_and_is_final(resolved_incident, manager):
    incident = resolved_incident("I")
    with pytest.raises(ValidationError) as err:
        services.save_assessment(incident, actor=manager, submit=True, now=NOW)
    assert set(err.value.message_dict) == {"cause", "summary"}
    _submit(incident, manager)
    with pytest.raises(AlreadySubmitted):
        services.save_assessment(incident, actor=manager, cause="changed", now=NOW)


def test_technician_cannot_write_assessments(resolved_incident, technician):
    with pytest.raises(PermissionDenied):
        services.save_assessment(resolved_incident("I"), actor=technician, cause="x", now=NOW)


def test_efficiency_is_computed_from_milestones_and_deadlines(resolved_incident):
    incident = resolved_incident("I")  # confirm 10, dispatch 20, arrive 60, resolve 120
    rows = {m.step: m for m in services.efficiency(incident)}
    assert (rows["confirm"].minutes, rows["confirm"].target_minutes, rows["confirm"].met) == (
        10,
        30,
        True,
    )
    assert rows["dispatch"].target_minutes is None
    assert (rows["arrive"].minutes, rows["arrive"].target_minutes) == (60, 120)
    assert (rows["resolve"].minutes, rows["resolve"].target_minutes) == (120, 480)


# --- survey ----------------------------------------------------------------------------


def test_resolution_creates_one_survey_with_an_unguessable_expiring_token(
    resolved_incident, settings
):
    incident = resolved_incident("I")
    survey = Survey.objects.get(incident=incident)
    assert len(survey.token) >= 40
    assert survey.expires_at == incident.resolved_at + timedelta(days=settings.SURVEY_VALID_DAYS)
    other = Survey.objects.get(incident=resolved_incident("III"))
    assert other.token != survey.token
    assert services.create_survey(incident) == survey  # idempotent


def test_survey_language_follows_the_customer(resolved_incident):
    zh = resolved_incident("III", customer_name="张伟")
    # The customer record's preferred language (a report makes one, Chinese unless told).
    john = Customer.objects.create(name="John Smith", language="en")
    en = resolved_incident("III", customer_name="John Smith", customer=john)
    assert Survey.objects.get(incident=zh).language == "zh-hans"
    assert Survey.objects.get(incident=en).language == "en"


def test_survey_is_answered_once(resolved_incident):
    survey = Survey.objects.get(incident=resolved_incident("I"))
    services.answer_survey(survey.token, rating=4, comment="ok", now=survey.created_at)
    with pytest.raises(SurveyClosed):
        services.answer_survey(survey.token, rating=1, now=survey.created_at)
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "ok")


def test_expired_survey_is_refused(resolved_incident):
    survey = Survey.objects.get(incident=resolved_incident("I"))
    with pytest.raises(SurveyClosed):
        services.answer_survey(survey.token, rating=5, now=survey.expires_at)
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_guessed_token_is_refused(resolved_incident):
    resolved_incident("I")
    with pytest.raises(Survey.DoesNotExist):
        services.answer_survey("guess" * 8, rating=5)


@pytest.mark.parametrize("rating", [0, 6, "x", None])
def test_rating_must_be_1_to_5(resolved_incident, rating):
    survey = Survey.objects.get(incident=resolved_incident("I"))
    with pytest.raises(ValidationError):
        services.answer_survey(survey.token, rating=rating, now=survey.created_at)


# --- corrective actions ----------------------------------------------------------------


@pytest.fixture
def actions(resolved_incident, manager):
    assessment = _submit(resolved_incident("I"), manager)
    owner = UserFactory(username="owner", email="owner@example.com")
    today = NOW.date()

    def add(days, status=None):
        action = services.add_corrective_action(
            actor=manager,
            assessment=assessment,
            owner=owner,
            description=f"due {days}",
            due_date=today + timedelta(days=days),
            now=NOW,
        )
        if status:
            services.set_action_status(action, actor=manager, status=status, now=NOW)
        return action

    return {"late": add(-3), "today": add(0), "later": add(5), "done_late": add(-9, "done")}


def test_overdue_actions_are_open_ones_past_their_due_date(actions):
    overdue = list(CorrectiveAction.objects.overdue(NOW.date()))
    assert overdue == [actions["late"]]
    assert actions["late"].is_overdue(NOW.date())
    assert not actions["done_late"].is_overdue(NOW.date())


def test_owners_of_overdue_actions_are_reminded_once_per_interval(
    actions, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_overdue_actions(now=NOW) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.com"]
    assert "due -3" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_overdue_actions(now=NOW + timedelta(hours=1)) == 0
    later = NOW + timedelta(hours=settings.CORRECTIVE_ACTION_REMINDER_HOURS)
    with django_capture_on_commit_callbacks(execute=True):
        # the late one again, and the one due on NOW's day, which is overdue by now
        assert services.remind_overdue_actions(now=later) == 2
    assert len(mail.outbox) == 3


def test_reminder_task_calls_the_service(actions):
    from assessments.tasks import remind_overdue_actions

    assert remind_overdue_actions.run() >= 0
    actions["late"].refresh_from_db()
    assert actions["late"].last_reminded_at is not None


def test_action_needs_owner_due_date_and_text(resolved_incident, manager):
    assessment = _submit(resolved_incident("I"), manager)
    with pytest.raises(ValidationError) as err:
        services.add_corrective_action(
            actor=manager, assessment=assessment, owner=None, description=" ", due_date=None
        )
    assert {"owner", "description", "due_date"} <= set(err.value.message_dict)


def test_owner_may_move_their_action_others_need_the_permission(actions, technician):
    action = actions["later"]
    services.set_action_status(action, actor=action.owner, status=ActionStatus.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.set_action_status(action, actor=technician, status=ActionStatus.DONE)


# --- sign-off --------------------------------------------------------------------------


def _png(blank=False) -> str:
    image = Image.new("RGBA", (60, 20), (0, 0, 0, 0))
    if not blank:
        for x in range(10, 50):
            image.putpixel((x, 10), (0, 0, 0, 255))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _on_site(org, technician):
    incident = walk("II", utc(2026, 11, 2, 2, 0), confirm=5)
    incident_services.dispatch_incident(
        incident,
        actor=None,
        assignee=technician,
        team=org["service_centre"],
        now=utc(2026, 11, 2, 2, 10),
    )
    incident_services.arrive_incident(incident, actor=technician, now=utc(2026, 11, 2, 3, 0))
    incident.refresh_from_db()
    return incident


def _resolved_by(org, technician):
    incident = _on_site(org, technician)
    incident_services.resolve_incident(
        incident,
        actor=technician,
        resolution="Cause: worn contactor. Replaced it. 更换接触器。",
        now=utc(2026, 11, 2, 4, 0),
    )
    incident.refresh_from_db()
    return incident


def test_customer_signs_only_after_the_resolution_is_written(org, technician):
    incident = _on_site(org, technician)
    with pytest.raises(NotAssessable):
        services.record_signoff(incident, actor=technician, signer_name="张伟", signature=_png())
    incident_services.resolve_incident(
        incident, actor=technician, resolution="Replaced it.", now=utc(2026, 11, 2, 4, 0)
    )
    incident.refresh_from_db()
    signoff = services.record_signoff(
        incident, actor=technician, signer_name="张伟", signature=_png(), now=NOW
    )
    assert signoff.signature.name.endswith(".png")
    with signoff.signature.open("rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (signoff.signer_name, signoff.signed_at) == ("张伟", NOW)
    assert incident.events.filter(data__signoff=signoff.pk).exists()


def test_blank_or_fake_signature_is_refused(org, technician):
    incident = _resolved_by(org, technician)
    with pytest.raises(ValidationError):
        services.record_signoff(
            incident, actor=technician, signer_name="x", signature=_png(blank=True)
        )
    with pytest.raises(ValidationError):
        services.record_signoff(
            incident, actor=technician, signer_name="x", signature="data:image/png;base64,aGVsbG8="
        )


def test_without_signature_a_reason_is_required(org, technician):
    incident = _resolved_by(org, technician)
    with pytest.raises(ValidationError):
        services.record_signoff(incident, actor=technician)
    signoff = services.record_signoff(
        incident, actor=technician, no_signature_reason="Customer left before the end."
    )
    assert not signoff.signature


def test_other_technicians_cannot_sign_off_a_job(org, technician, other_technician):
    incident = _resolved_by(org, technician)
    with pytest.raises(PermissionDenied):
        services.record_signoff(incident, actor=other_technician, no_signature_reason="x")


def test_the_assigned_technician_signs_the_report_after_resolving(org, technician, manager):
    incident = _on_site(org, technician)
    with pytest.raises(NotAssessable):
        services.record_technician_signoff(incident, actor=technician, signature=_png())
    incident_services.resolve_incident(
        incident, actor=technician, resolution="Replaced it.", now=utc(2026, 11, 2, 4, 0)
    )
    incident.refresh_from_db()
    with pytest.raises(PermissionDenied):  # a manager cannot sign in the technician's name
        services.record_technician_signoff(incident, actor=manager, signature=_png())
    with pytest.raises(ValidationError):
        services.record_technician_signoff(incident, actor=technician, signature="")
    signed = services.record_technician_signoff(
        incident, actor=technician, signature=_png(), now=NOW
    )
    assert (signed.technician, signed.signed_at) == (technician, NOW)
    assert signed.signature.name.endswith(".png")
    assert incident.events.filter(data__technician_signoff=signed.pk).exists()
    with pytest.raises(SignOffExists):
        services.record_technician_signoff(incident, actor=technician, signature=_png())


# --- drills ----------------------------------------------------------------------------


def test_drill_results_and_findings_become_corrective_actions(manager):
    drill = services.plan_drill(
        actor=manager, title="Level I drill", scenario="Bus fire", scheduled_at=NOW, grade="I"
    )
    services.record_drill_results(
        drill,
        actor=manager,
        findings="HQ alert slow",
        measurements=[
            {"step": "confirm", "target_minutes": 5, "measured_minutes": 9},
            {"step": "arrive", "target_minutes": 60, "measured_minutes": 48},
        ],
    )
    drill.refresh_from_db()
    assert drill.status == "done"
    assert [m.met for m in drill.measurements.all()] == [False, True]
    action = services.add_corrective_action(
        actor=manager,
        drill=drill,
        owner=manager,
        finding="HQ alert slow",
        description="Group SMS",
        due_date=NOW.date(),
    )
    assert action.drill == drill and action.assessment is None
