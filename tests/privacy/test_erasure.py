"""Erasure on request and by retention: the customer's data goes, the incident stays."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from assessments import services as assessment_services
from assessments.models import SignOff
from incidents import services, timeline
from incidents.models import EventKind, Incident, IncidentEvent, IncidentPhoto
from privacy import services as privacy
from privacy.models import Erasure
from tests import factories
from tests.privacy.conftest import NAME, PHONE, close, png_data_url, png_file, resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(job, technician):
    """A resolved job with a photo and the customer's signature."""
    services.add_photo(job, actor=technician, image=png_file())
    resolve(job, technician)
    assessment_services.record_signoff(
        job, actor=technician, signer_name=NAME, signature=png_data_url()
    )
    job.refresh_from_db()
    return job


def _files(incident):
    names = [p.image.name for p in IncidentPhoto.objects.filter(incident=incident)]
    signoff = SignOff.objects.filter(incident=incident).first()
    return [*names, signoff.signature.name] if signoff and signoff.signature else names


class TestErase:
    def test_erasure_removes_name_phone_signature_and_photos_keeps_the_incident(
        self, signed, django_capture_on_commit_callbacks
    ):
        files = _files(signed)
        assert len(files) == 2 and all(default_storage.exists(f) for f in files)
        events_before = IncidentEvent.objects.filter(incident=signed).count()
        kept = Incident.objects.values(
            "status", "reported_at", "confirmed_at", "dispatched_at", "arrived_at",
            "resolved_at", "asset_ref", "grade", "updated_at",
        ).get(pk=signed.pk)  # fmt: skip

        with django_capture_on_commit_callbacks(execute=True):
            [erasure] = privacy.erase_customer_data(signed, actor=None, reason="request #7")

        signed.refresh_from_db()
        assert (signed.customer_name, signed.customer_phone) == ("", "")
        assert not any(default_storage.exists(f) for f in files)
        assert not IncidentPhoto.objects.filter(incident=signed).exists()
        signoff = SignOff.objects.get(incident=signed)
        assert (signoff.signer_name, signoff.signature.name) == ("", "")
        assert (
            Incident.objects.values(*kept).get(pk=signed.pk) == kept
        )  # times, KPIs, vehicle history
        assert IncidentEvent.objects.filter(incident=signed).count() == events_before + 1
        assert erasure.removed == {"name": True, "phone": True, "photos": 1, "signature": True}

    def test_the_timeline_says_personal_data_erased_in_the_readers_language(self, job):
        privacy.erase_customer_data(job, actor=None, reason="request")
        event = IncidentEvent.objects.filter(incident=job, kind=EventKind.NOTE).last()
        assert event.display_text == "Personal data erased."
        with override("zh-hans"):
            assert event.display_text == "个人信息已删除。"

    def test_erasing_twice_does_nothing_the_second_time(self, job):
        assert len(privacy.erase_customer_data(job, actor=None, reason="r")) == 1
        assert privacy.erase_customer_data(job, actor=None, reason="r") == []
        assert Erasure.objects.count() == 1

    def test_erasure_needs_the_permission(self, job, manager):
        with pytest.raises(PermissionDenied):
            privacy.erase_customer_data(job, actor=manager, reason="r")

    def test_by_phone_finds_the_customers_incidents(self, job):
        other = factories.report(customer_name="李娜", customer_phone="13900000000")
        privacy.erase_customer_data(
            privacy.incidents_of_customer(phone="138 1234 1234"), actor=None, reason="r"
        )
        job.refresh_from_db()
        other.refresh_from_db()
        assert job.customer_phone == "" and other.customer_phone == "13900000000"

    def test_the_command_erases_by_name(self, job):
        out = io.StringIO()
        call_command("erase_customer_data", "--name", NAME, "--reason", "ticket 9", stdout=out)
        job.refresh_from_db()
        assert job.customer_name == "" and "1 incident(s) erased" in out.getvalue()

    def test_the_command_dry_run_erases_nothing(self, job):
        call_command(
            "erase_customer_data", str(job.pk), "--reason", "x", "--dry-run", stdout=io.StringIO()
        )
        job.refresh_from_db()
        assert job.customer_phone == PHONE


class TestDiffs:
    def test_an_edit_records_the_customer_fields_as_changed_without_values(self, job):
        services.update_incident(
            job, actor=None, customer_name="王芳", customer_phone="13700000000", title="New"
        )
        event = IncidentEvent.objects.filter(incident=job, kind=EventKind.UPDATED).get()
        changed = event.data["changed"]
        assert changed["customer_name"] is None and changed["customer_phone"] is None
        assert changed["title"][1] == "New"
        assert "王芳" not in str(event.data) and NAME not in str(event.data)

    def test_old_diffs_are_scrubbed(self, job):
        old = timeline.updated(job, actor=None, at=timezone.now(), changed={"title": ["a", "b"]})
        old.data["changed"]["customer_name"] = [NAME, "王芳"]  # written before redaction
        timeline.write([old])
        call_command("scrub_timeline_diffs", stdout=io.StringIO())
        event = IncidentEvent.objects.get(pk=old.pk)
        assert event.data["changed"] == {"title": ["a", "b"], "customer_name": None}


class TestRetention:
    def test_retention_is_off_by_default(self, job, technician, settings):
        settings.PERSONAL_DATA_RETENTION_DAYS = 0
        close(job, technician, now=timezone.now() - timedelta(days=400))
        assert privacy.erase_expired() == 0

    def test_retention_erases_incidents_closed_longer_ago_and_is_idempotent(
        self, org, technician, settings
    ):
        settings.PERSONAL_DATA_RETENTION_DAYS = 30
        start = timezone.now()
        with time_machine.travel(start - timedelta(days=40), tick=False):
            old = factories.report(customer_name=NAME, customer_phone=PHONE)
            services.confirm_incident(old, actor=None)
            services.dispatch_incident(
                old, actor=None, assignee=technician, team=org["service_centre"]
            )
            old.refresh_from_db()
            close(old, technician)
        with time_machine.travel(start - timedelta(days=10), tick=False):
            recent = factories.report(customer_name=NAME, customer_phone=PHONE)
            services.confirm_incident(recent, actor=None)
            services.dispatch_incident(
                recent, actor=None, assignee=technician, team=org["service_centre"]
            )
            recent.refresh_from_db()
            close(recent, technician)
        still_open = factories.report(customer_name=NAME, customer_phone=PHONE)

        assert privacy.erase_expired(now=start, batch=1) == 1
        assert privacy.erase_expired(now=start) == 0  # again: nothing new
        old.refresh_from_db()
        recent.refresh_from_db()
        still_open.refresh_from_db()
        assert old.customer_phone == "" and old.status == "closed"
        assert recent.customer_phone == PHONE and still_open.customer_phone == PHONE
        with time_machine.travel(start + timedelta(days=21), tick=False):
            from privacy.tasks import erase_expired

            assert erase_expired() == 1
        recent.refresh_from_db()
        assert recent.customer_phone == ""

    def test_the_beat_runs_retention_daily(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["privacy-erase-expired"]
        assert entry["task"] == "privacy.tasks.erase_expired" and entry["schedule"] == 86400.0


class TestAdminAction:
    def test_the_action_asks_for_a_reason_then_erases(self, login, admin_user, job):
        client = login(admin_user)
        url = reverse("admin:incidents_incident_changelist")
        data = {"action": "erase_personal_data", "_selected_action": [job.pk]}
        page = client.post(url, data)
        assert page.status_code == 200 and b"Yes, erase" in page.content
        job.refresh_from_db()
        assert job.customer_phone == PHONE  # not yet
        response = client.post(url, {**data, "confirm": "yes", "reason": "ticket 12"})
        assert response.status_code == 302
        job.refresh_from_db()
        assert job.customer_phone == "" and Erasure.objects.get().reason == "ticket 12"
