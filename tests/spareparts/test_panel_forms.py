# ruff: noqa: RUF001 - the messages print quantities with the multiplication sign
"""A failed part entry keeps what was typed and shows the error beside its form: on the
technician's job card and on the incident page's parts panel, after a full-page post (the
outcome waits in the session for the page the browser returns to) or as an HTMX swap of
the panel."""

import pytest
from django.urls import reverse

from incidents import services as incident_services
from tests import factories
from tests.spareparts.helpers import balance

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def job(dispatcher, technician):
    job = factories.report(dispatcher)
    incident_services.confirm_incident(job, actor=dispatcher)
    incident_services.dispatch_incident(job, actor=dispatcher, assignee=technician)
    return job


def _used(job, depot, **fields):
    prefix = f"u{job.pk}"
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    data.setdefault(f"{prefix}-depot", depot.pk)
    data["next"] = reverse("incidents:my_jobs") + f"#job-{job.pk}"
    return data


def _panel(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</form>", start)]


def test_unknown_sku_on_the_job_card_keeps_the_values_and_shows_the_error_in_the_card(
    technician_client, job, depots, battery
):
    url = reverse("spareparts:incident_parts", args=[job.pk, "used"])
    response = technician_client.post(url, _used(job, depots["east"], part="BAT-4BV", quantity=3))
    assert response.status_code == 302
    assert response.url == reverse("incidents:my_jobs") + f"#parts-{job.pk}"

    card = _panel(technician_client.get(response.url).text, f"parts-{job.pk}")
    assert "No active part has SKU “BAT-4BV”." in card
    assert 'value="BAT-4BV"' in card and 'value="3"' in card
    assert f'<option value="{depots["east"].pk}" selected>' in card
    # Shown once: the next visit has a clean form.
    again = _panel(technician_client.get(response.url).text, f"parts-{job.pk}")
    assert "No active part has SKU" not in again and "BAT-4BV" not in again


def test_missing_serial_on_the_job_card_is_beside_the_serial_field(
    technician_client, job, depots, controller, stock
):
    stock(controller, depots["east"], 1, lots=["SN-1"])
    url = reverse("spareparts:incident_parts", args=[job.pk, "used"])
    response = technician_client.post(
        url, _used(job, depots["east"], part="MC-72V", quantity=1, lots=""), **HTMX
    )
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith("<details") and f'id="parts-{job.pk}"' in html
    lots_row = html[html.index(f'for="id_u{job.pk}-lots"') :]
    assert "tracked by serial number" in lots_row[: lots_row.index("</div>")]
    assert 'value="MC-72V"' in html
    assert balance(controller, depots["east"]).on_hand == 1

    # Corrected: recorded, the card says so and the form is empty again.
    ok = technician_client.post(
        url, _used(job, depots["east"], part="MC-72V", quantity=1, lots="SN-1"), **HTMX
    )
    assert balance(controller, depots["east"]).on_hand == 0
    card = _panel(ok.text, f"parts-{job.pk}")
    assert "Recorded as used: MC-72V × 1" in card and 'value="MC-72V"' not in card


def test_incident_page_reserve_issue_return_errors_stay_beside_their_form(
    dispatcher_client, incident, depots, battery, stock
):
    stock(battery, depots["east"], 1)
    detail = reverse("incidents:detail", args=[incident.pk])

    def post(action, prefix, htmx=False, **fields):
        data = {f"{prefix}{incident.pk}-{k}": v for k, v in fields.items()}
        url = reverse("spareparts:incident_parts", args=[incident.pk, action])
        return dispatcher_client.post(url, data, **(HTMX if htmx else {}))

    short = post("reserve", "r", part="BAT-48V", depot=depots["east"].pk, quantity=5)
    assert short.url == detail + "#parts"
    form = _panel(dispatcher_client.get(detail).text, f"form-reserve-{incident.pk}")
    assert "Not enough BAT-48V" in form and 'value="5"' in form

    swapped = post("issue", "i", htmx=True, part="", depot=depots["east"].pk, quantity=2)
    assert swapped.text.lstrip().startswith('<section class="card" id="parts"')
    issue = _panel(swapped.text, f"form-issue-{incident.pk}")
    assert "This field is required." in issue and 'value="2"' in issue

    back = post("return", "t", htmx=True, part="BAT-48V", depot=depots["east"].pk, quantity=1)
    ret = _panel(back.text, f"form-return-{incident.pk}")
    assert 'role="alert"' in ret and 'value="BAT-48V"' in ret

    ok = post("reserve", "r", htmx=True, part="BAT-48V", depot=depots["east"].pk, quantity=1)
    assert balance(battery, depots["east"]).reserved == 1
    assert "Reserved: BAT-48V × 1" in _panel(ok.text, f"form-reserve-{incident.pk}")
