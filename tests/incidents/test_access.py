"""The one access policy (incidents/access.py): the on-job rule, 404 for what a user may not
see, and restrict() answering exactly what can() answers, for every role."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from core.exceptions import Conflict
from core.roles import ALL_ROLES
from core.web import error_text, run_per_row, safe_next
from incidents import access, services
from incidents.models import Incident
from tests import factories


@pytest.fixture
def jobs(db, org, technician, dispatcher):
    """Four incidents seen from ``technician`` (a member of the service centre): assigned to
    them; their team's with no one assigned; their team's assigned to a colleague; another
    team's."""
    colleague = factories.UserFactory(username="colleague", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=colleague)
    other = factories.UserFactory(username="elsewhere", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre_2"], user=other)

    def job(**dispatch):
        incident = factories.report(dispatcher)
        services.confirm_incident(incident, actor=dispatcher)
        return services.dispatch_incident(incident, actor=dispatcher, **dispatch)

    return {
        "mine": job(assignee=technician),
        "team": job(team=org["service_centre"]),
        "colleague's": job(assignee=colleague, team=org["service_centre"]),
        "elsewhere": job(assignee=other, team=org["service_centre_2"]),
    }


def test_on_job_is_the_assignee_or_any_member_of_the_team(jobs, technician):
    on_job = {name for name, incident in jobs.items() if access.is_on_job(technician, incident)}
    assert on_job == {"mine", "team", "colleague's"}


def test_own_job_is_the_assignee_or_with_no_one_assigned_the_team(jobs, technician):
    own = {name for name, incident in jobs.items() if access.is_own_job(technician, incident)}
    assert own == {"mine", "team"}
    listed = set(Incident.objects.jobs_for(technician).values_list("pk", flat=True))
    assert listed == {jobs["mine"].pk, jobs["team"].pk}


def test_the_system_may_do_everything_and_an_inactive_user_nothing(jobs, manager):
    incident = jobs["elsewhere"]
    assert all(access.can(None, action, incident) for action in access.ACTIONS)
    manager.is_active = False
    assert not any(access.can(manager, action, incident) for action in access.ACTIONS)
    assert not Incident.objects.restrict(manager).exists()


def test_get_incident_for_answers_404_for_an_incident_the_user_may_not_see(jobs, technician):
    assert access.get_incident_for(technician, jobs["colleague's"].pk) == jobs["colleague's"]
    with pytest.raises(Http404):
        access.get_incident_for(technician, jobs["elsewhere"].pk)
    with pytest.raises(Http404):  # not 403 either when an action is asked for
        access.get_incident_for(technician, jobs["elsewhere"].pk, "resolve")


def test_get_incident_for_refuses_an_action_on_an_incident_the_user_sees(jobs, technician):
    assert access.get_incident_for(technician, jobs["mine"].pk, "resolve") == jobs["mine"]
    with pytest.raises(PermissionDenied):
        access.get_incident_for(technician, jobs["mine"].pk, "confirm")


def test_pages_answer_404_not_403_for_an_incident_out_of_sight(jobs, technician_client):
    hidden = jobs["elsewhere"]
    for url in (
        reverse("incidents:detail", args=[hidden.pk]),
        reverse("incidents:edit", args=[hidden.pk]),
        reverse("assessments:sign", args=[hidden.pk]),
    ):
        assert technician_client.get(url).status_code == 404, url
    # Seen, but not theirs to edit: 403.
    edit = reverse("incidents:edit", args=[jobs["mine"].pk])
    assert technician_client.get(edit).status_code == 403


def test_require_says_the_one_message_in_the_readers_language(jobs, technician):
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as refused:
        access.require(technician, "close", jobs["mine"])
    assert str(refused.value) == "您无权执行此操作。"
    with pytest.raises(PermissionDenied, match=r"You are not allowed to do this\."):
        access.require_perm(technician, "spareparts.move_stock")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_restrict_selects_exactly_what_can_allows_for_every_role(role, jobs, org):
    user = factories.UserFactory(username=f"as-{role}", roles=[role])
    factories.MembershipFactory(team=org["service_centre"], user=user)
    # One of their own (set directly: only technicians are given jobs now, but an older
    # assignment to another role must still be answered the same by can and restrict).
    Incident.objects.filter(pk=jobs["team"].pk).update(assignee=user)
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    everything = Incident.objects.all()
    for action in access.ACTIONS:
        allowed = {i.pk for i in everything if access.can(user, action, i)}
        selected = set(everything.restrict(user, action).values_list("pk", flat=True))
        assert selected == allowed, (role, action)


def test_an_unknown_action_is_a_programming_error(jobs, technician):
    with pytest.raises(ValueError, match="unknown incident action"):
        access.can(technician, "fly", jobs["mine"])
    with pytest.raises(ValueError, match="unknown incident action"):
        Incident.objects.restrict(technician, "fly")


# --- core/web.py: the pages' shared plumbing -----------------------------------------------


def test_safe_next_keeps_local_urls_and_refuses_other_sites():
    rf = RequestFactory()
    assert safe_next(rf.post("/", {"next": "/incidents/3/"}), "/home/") == "/incidents/3/"
    assert safe_next(rf.post("/", {"next": "https://evil.example/"}), "/home/") == "/home/"
    assert safe_next(rf.post("/", {"next": "//evil.example/x"}), "/home/") == "/home/"
    assert safe_next(rf.get("/", {"next": "/a/"}), "/home/") == "/a/"
    # ``then`` first, else ``next``.
    both = rf.post("/", {"then": "/sign/", "next": "/jobs/"})
    assert safe_next(both, "/", field="then") == "/sign/"
    assert safe_next(rf.post("/", {"next": "/jobs/"}), "/", field="then") == "/jobs/"


def test_error_text_is_the_message_never_a_repr():
    assert error_text(ValidationError({"quantity": ["Too many."]})) == "Too many."
    assert error_text(ValidationError(["One.", "Two."])) == "One. Two."
    assert error_text(Conflict("Already received.")) == "Already received."
    assert error_text(PermissionDenied()) == "You are not allowed to do this."


def test_the_admin_per_row_action_says_what_was_done_and_each_refusal_as_text():
    request = RequestFactory().post("/admin/")
    request.session = {}
    request._messages = FallbackStorage(request)

    def service(row):
        if row == "b":
            raise ValidationError({"status": ["Already done."]})

    done = run_per_row(
        admin.ModelAdmin(Incident, admin.site),
        request,
        ["a", "b", "c"],
        service,
        done=lambda n: f"{n} done.",
        label=str.upper,
    )
    assert done == 2
    assert [str(m) for m in request._messages] == ["2 done.", "B: Already done."]
