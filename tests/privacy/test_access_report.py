"""The access log (pages, API, exports, reveals) and the breach-readiness report."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from privacy import services
from privacy.models import AccessKind, AccessLog
from tests import factories
from tests.privacy.conftest import NAME

pytestmark = pytest.mark.django_db

EXPORT = reverse("incidents:export", args=["csv"])


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


class TestExports:
    def test_a_dispatchers_export_is_in_clear_and_logged_once(
        self, dispatcher_client, dispatcher, job
    ):
        other = factories.report(customer_name="李娜")
        rows = _csv(dispatcher_client.get(EXPORT))
        customers = {r[5] for r in rows[1:]}
        assert customers == {NAME, "李娜"}
        entry = AccessLog.objects.get()
        assert (entry.user, entry.kind, entry.rows) == (dispatcher, AccessKind.EXPORT, 2)
        assert sorted(entry.incident_ids) == sorted([job.pk, other.pk])

    def test_legal_exports_masked_names_and_nothing_is_logged(self, login, legal, job):
        rows = _csv(login(legal).get(EXPORT))
        assert [r[5] for r in rows[1:]] == ["张*"]
        assert not AccessLog.objects.exists()

    def test_the_xlsx_export_masks_too(self, login, logistics, job):
        from openpyxl import load_workbook

        response = login(logistics).get(reverse("incidents:export", args=["xlsx"]))
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = book.active
        assert sheet.cell(row=2, column=6).value == "张*"


class TestReport:
    def test_the_report_lists_pages_api_exports_and_reveals_with_reasons(
        self, manager_client, dispatcher_client, dispatcher, legal, job
    ):
        dispatcher_client.get(reverse("incidents:detail", args=[job.pk]))
        services.reveal(job, user=legal, reason="Regulator asked")
        rows = list(
            services.access_report(
                timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1)
            )
        )
        assert [(r.username, r.kind, r.incident_ids) for r in rows] == [
            ("disp", AccessKind.PAGE, [job.pk]),
            ("legal", AccessKind.REVEAL, [job.pk]),
        ]
        assert rows[1].reason == "Regulator asked"

        page = manager_client.get(reverse("privacy:access_report")).content.decode()
        assert "Regulator asked" in page and f"#{job.pk}" in page

        response = manager_client.get(reverse("privacy:access_report"), {"format": "csv"})
        lines = _csv(response)
        assert lines[0] == ["Time", "User", "Access", "Incidents", "Records", "Reason"]
        assert [line[1] for line in lines[1:]] == ["disp", "legal"]
        assert lines[2][5] == "Regulator asked"

    def test_the_report_is_for_managers_only(self, login, legal, dispatcher_client):
        assert login(legal).get(reverse("privacy:access_report")).status_code == 403
        assert dispatcher_client.get(reverse("privacy:access_report")).status_code == 403

    def test_the_command_writes_the_period_as_csv(self, legal, job):
        services.reveal(job, user=legal, reason="Audit")
        services.reveal(job, user=legal, reason="old", now=timezone.now() - timedelta(days=60))
        today = timezone.localdate()
        out = io.StringIO()
        call_command(
            "customer_data_access",
            (today - timedelta(days=1)).isoformat(),
            today.isoformat(),
            stdout=out,
        )
        lines = list(csv.reader(io.StringIO(out.getvalue())))
        assert lines[0][:3] == ["time", "user", "access"]
        assert [(line[1], line[2], line[5]) for line in lines[1:]] == [("legal", "reveal", "Audit")]


def test_a_reason_typed_as_a_formula_stays_text_in_both_csvs(manager_client, legal, job):
    """The reason is typed by a person: in the page's CSV and the command's, a cell starting
    with = is kept as text (core.exports, as in every export)."""
    services.reveal(job, user=legal, reason='=HYPERLINK("http://x.test","y")')
    response = manager_client.get(reverse("privacy:access_report"), {"format": "csv"})
    assert _csv(response)[1][5] == '\'=HYPERLINK("http://x.test","y")'
    out = io.StringIO()
    today = timezone.localdate()
    call_command("customer_data_access", today.isoformat(), today.isoformat(), stdout=out)
    assert list(csv.reader(io.StringIO(out.getvalue())))[1][5].startswith("'=HYPERLINK")
