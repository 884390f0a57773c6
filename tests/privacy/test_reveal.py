"""Masked customer data on the incident page and in the API, revealed with a reason and
logged; the managers' reveal log."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from privacy import services
from privacy.models import AccessKind, AccessLog, Field, RevealLog
from tests.privacy.conftest import NAME, PHONE

pytestmark = pytest.mark.django_db

MASKED_PHONE = "138****1234"


def detail(incident):
    return reverse("incidents:detail", args=[incident.pk])


def reveal_url(incident):
    return reverse("privacy:reveal", args=[incident.pk])


class TestIncidentPage:
    def test_legal_sees_the_customer_masked_with_a_reveal_form(self, login, legal, job):
        page = login(legal).get(detail(job)).content.decode()
        assert MASKED_PHONE in page and "张*" in page
        assert PHONE not in page and NAME not in page
        assert reveal_url(job) in page
        assert not AccessLog.objects.exists()  # nothing in clear went out

    def test_a_reveal_with_a_reason_shows_the_customer_and_is_logged(self, login, legal, job):
        client = login(legal)
        response = client.post(reveal_url(job), {"field": "all", "reason": "Complaint letter"})
        assert response.status_code == 302
        log = RevealLog.objects.get()
        assert (log.user, log.incident, log.field, log.reason) == (
            legal,
            job,
            Field.ALL,
            "Complaint letter",
        )
        page = client.get(detail(job)).content.decode()
        assert PHONE in page and NAME in page
        assert f'href="tel:{PHONE}"' in page
        assert set(AccessLog.objects.values_list("kind", flat=True)) == {
            AccessKind.REVEAL,
            AccessKind.PAGE,
        }

    def test_a_reveal_lasts_the_window_then_the_page_is_masked_again(self, login, legal, job):
        client = login(legal)
        client.post(reveal_url(job), {"field": "phone", "reason": "Call back"})
        page = client.get(detail(job)).content.decode()
        assert PHONE in page and "张*" in page  # only the phone was revealed
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            page = client.get(detail(job)).content.decode()
        assert PHONE not in page and MASKED_PHONE in page

    def test_htmx_reveal_answers_the_customer_line_in_clear(self, login, logistics, job):
        response = login(logistics).post(
            reveal_url(job), {"field": "all", "reason": "Delivery"}, HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert f'id="customer-{job.pk}"' in html and PHONE in html and NAME in html

    def test_a_reveal_without_a_reason_is_refused_and_not_logged(self, login, legal, job):
        response = login(legal).post(
            reveal_url(job), {"field": "all", "reason": "  "}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert MASKED_PHONE in response.content.decode()
        assert PHONE not in response.content.decode()
        assert not RevealLog.objects.exists()

    def test_a_partner_sees_no_customer_and_may_not_reveal(self, login, partner, job):
        client = login(partner)
        page = client.get(detail(job)).content.decode()
        assert PHONE not in page and MASKED_PHONE not in page and "张" not in page
        response = client.post(reveal_url(job), {"field": "all", "reason": "x"})
        assert response.status_code == 403
        assert not RevealLog.objects.exists()

    def test_an_incident_the_user_may_not_see_answers_404(self, login, other_technician, job):
        response = login(other_technician).post(reveal_url(job), {"reason": "x"})
        assert response.status_code == 404

    def test_a_dispatchers_page_view_writes_one_access_row(
        self, dispatcher_client, dispatcher, job
    ):
        page = dispatcher_client.get(detail(job)).content.decode()
        assert PHONE in page
        entry = AccessLog.objects.get()
        assert (entry.user, entry.kind, entry.incident_id) == (dispatcher, AccessKind.PAGE, job.pk)

    def test_the_technicians_job_card_shows_the_phone_of_an_open_job(self, technician_client, job):
        page = technician_client.get(reverse("incidents:my_jobs")).content.decode()
        assert f'href="tel:{PHONE}"' in page

    def test_the_list_masks_names_for_legal(self, login, legal, job):
        page = login(legal).get(reverse("incidents:list")).content.decode()
        assert "张*" in page and NAME not in page


class TestService:
    def test_only_masked_viewers_may_reveal(self, dispatcher, job):
        with pytest.raises(PermissionDenied):
            services.reveal(job, user=dispatcher, reason="why")

    def test_the_reason_is_required_and_capped(self, legal, job):
        with pytest.raises(ValidationError):
            services.reveal(job, user=legal, reason="")
        with pytest.raises(ValidationError):
            services.reveal(job, user=legal, reason="x" * 501)


class TestRevealLogPage:
    def test_managers_see_who_revealed_what_and_why(self, manager_client, legal, job):
        services.reveal(job, user=legal, reason="Court request 42")
        page = manager_client.get(reverse("privacy:reveal_log")).content.decode()
        who = legal.get_full_name() or legal.username
        assert "Court request 42" in page and who in page and (job.number or "") in page

    def test_filter_by_user(self, manager_client, legal, logistics, job):
        services.reveal(job, user=legal, reason="by legal")
        services.reveal(job, user=logistics, reason="by logistics")
        page = manager_client.get(reverse("privacy:reveal_log"), {"user": "logi"}).content
        assert b"by logistics" in page and b"by legal" not in page

    def test_filter_by_period(self, manager_client, legal, job):
        services.reveal(job, user=legal, reason="long ago", now=timezone.now() - timedelta(days=90))
        page = manager_client.get(reverse("privacy:reveal_log")).content
        assert b"long ago" not in page
        old = (timezone.localdate() - timedelta(days=91)).isoformat()
        page = manager_client.get(reverse("privacy:reveal_log"), {"start": old}).content
        assert b"long ago" in page

    def test_other_roles_are_refused(self, login, legal, dispatcher_client):
        assert login(legal).get(reverse("privacy:reveal_log")).status_code == 403
        assert dispatcher_client.get(reverse("privacy:reveal_log")).status_code == 403


class TestApi:
    def _get(self, user, incident):
        client = APIClient()
        client.force_authenticate(user)
        return client.get(f"/api/v1/incidents/{incident.pk}/")

    def test_the_api_masks_for_legal(self, legal, job):
        data = self._get(legal, job).json()
        assert (data["customer_name"], data["customer_phone"]) == ("张*", MASKED_PHONE)

    def test_the_api_hides_from_a_partner(self, partner, job):
        data = self._get(partner, job).json()
        assert (data["customer_name"], data["customer_phone"]) == ("", "")

    def test_the_api_shows_the_technician_their_open_job_and_logs_it(self, technician, job):
        data = self._get(technician, job).json()
        assert (data["customer_name"], data["customer_phone"]) == (NAME, PHONE)
        assert AccessLog.objects.filter(
            user=technician, kind=AccessKind.API, incident_id=job.pk
        ).exists()

    def test_the_api_list_masks_and_logs_nothing(self, legal, job):
        client = APIClient()
        client.force_authenticate(legal)
        rows = client.get("/api/v1/incidents/").json()["results"]
        assert [r["customer_phone"] for r in rows] == [MASKED_PHONE]
        assert not AccessLog.objects.exists()

    def test_a_reveal_counts_in_the_api_too(self, legal, job):
        services.reveal(job, user=legal, reason="letter")
        data = self._get(legal, job).json()
        assert data["customer_phone"] == PHONE


def test_the_incident_page_links_managers_to_its_reveals(manager_client, legal, job):
    services.reveal(job, user=legal, reason="old one", now=timezone.now() - timedelta(days=90))
    page = manager_client.get(detail(job)).content.decode()
    link = f"{reverse('privacy:reveal_log')}?incident={job.pk}"
    assert link in page
    assert b"old one" in manager_client.get(link).content
