# ruff: noqa: RUF001 - the messages print quantities with the multiplication sign
"""Issue 11 (spare parts): a part recorded as used on the job card uses up the job's
reservation; the serial / batch field says what it needs; the serial error counts in both
languages; the reserved row of the job card's parts list is labelled."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from incidents import services as incident_services
from incidents.models import EventKind
from spareparts import services
from tests import factories
from tests.spareparts.helpers import assert_balances_match_ledger, balance

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def job(dispatcher, technician):
    job = factories.report(dispatcher)
    incident_services.confirm_incident(job, actor=dispatcher)
    incident_services.dispatch_incident(job, actor=dispatcher, assignee=technician)
    return job


def _card(html: str, job) -> str:
    start = html.index(f'id="parts-{job.pk}"')
    return html[start : html.index("</details>", start)]


def _used(job, depot, **fields):
    prefix = f"u{job.pk}"
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    data[f"{prefix}-depot"] = depot.pk
    data["next"] = reverse("incidents:my_jobs")
    return data


def test_using_a_reserved_part_at_its_depot_consumes_the_reservation(
    job, depots, battery, stock, dispatcher, technician
):
    stock(battery, depots["hq"], 3)
    services.reserve_part(job, part=battery, depot=depots["hq"], quantity=1, actor=dispatcher)
    services.issue_part(job, part=battery, depot=depots["hq"], quantity=1, actor=technician)
    b = balance(battery, depots["hq"])
    assert (b.on_hand, b.reserved) == (2, 0)
    assert services.outstanding(job, battery) == {"reserved": 0, "issued": 1}


def test_using_the_part_from_another_depot_releases_the_reservation_held_elsewhere(
    job, depots, battery, stock, dispatcher, technician
):
    stock(battery, depots["hq"], 3)
    stock(battery, depots["east"], 3)
    services.reserve_part(job, part=battery, depot=depots["hq"], quantity=2, actor=dispatcher)

    services.issue_part(job, part=battery, depot=depots["east"], quantity=1, actor=technician)

    hq, east = balance(battery, depots["hq"]), balance(battery, depots["east"])
    assert (hq.on_hand, hq.reserved) == (3, 1)  # one of the two held units is let go
    assert (east.on_hand, east.reserved) == (2, 0)
    released = job.events.get(kind=EventKind.PART_RELEASED)
    assert released.data["depot"] == "hq" and released.data["quantity"] == 1
    assert released.data["said"][0] == "%(line)s — Used from another depot"
    assert_balances_match_ledger()

    services.issue_part(job, part=battery, depot=depots["east"], quantity=2, actor=technician)
    hq.refresh_from_db()
    assert (hq.on_hand, hq.reserved) == (3, 0)
    assert services.outstanding(job, battery) == {"reserved": 0, "issued": 3}
    assert_balances_match_ledger()


def test_the_job_card_defaults_to_the_depot_holding_the_jobs_reservation(
    technician_client, job, depots, battery, stock, dispatcher
):
    stock(battery, depots["hq"], 2)
    url = reverse("incidents:my_jobs")
    closed = _card(technician_client.get(url).text, job)
    assert "<form" not in closed  # no parts yet: the form loads when the card opens
    opened = reverse("spareparts:job_card", args=[job.pk])
    assert f'hx-get="{opened}"' in closed
    card = _card(technician_client.get(opened, **HTMX).text, job)
    assert f'<option value="{depots["east"].pk}" selected>' in card  # the team's depot
    page = technician_client.get(opened).text  # without JavaScript: a page of its own
    assert "<html" in page and f'<option value="{depots["east"].pk}" selected>' in page

    services.reserve_part(job, part=battery, depot=depots["hq"], quantity=1, actor=dispatcher)
    for card in (  # on the page (read for all cards at once) and opened alone
        _card(technician_client.get(url).text, job),
        _card(technician_client.get(opened, **HTMX).text, job),
    ):
        assert f'<option value="{depots["hq"].pk}" selected>' in card
        assert f'<option value="{depots["east"].pk}" selected>' not in card


def test_recording_use_elsewhere_says_the_reservation_was_released(
    technician_client, job, depots, battery, stock, dispatcher
):
    stock(battery, depots["hq"], 2)
    stock(battery, depots["east"], 2)
    services.reserve_part(job, part=battery, depot=depots["hq"], quantity=1, actor=dispatcher)
    url = reverse("spareparts:incident_parts", args=[job.pk, "used"])
    response = technician_client.post(
        url, _used(job, depots["east"], part="BAT-48V", quantity=1), **HTMX
    )
    card = _card(response.text, job)
    assert "Recorded as used: BAT-48V × 1 from East depot." in card
    assert "Reservation released: 1 at HQ central depot." in card
    assert balance(battery, depots["hq"]).reserved == 0


def test_the_lots_field_shows_its_help_and_which_parts_need_numbers(
    technician_client, job, depots, battery, charger, controller
):
    opened = reverse("spareparts:job_card", args=[job.pk])
    card = _card(technician_client.get(opened, **HTMX).text, job)
    assert f'id="id_u{job.pk}-lots_helptext"' in card
    assert "Separate several with spaces or commas." in card
    assert '<option value="CHG-10A" label="CHG-10A · batch number needed">' in card
    assert '<option value="MC-72V" label="MC-72V · serial numbers needed">' in card
    assert '<option value="BAT-48V">' in card


def test_the_serial_error_counts_in_both_languages(controller, depots):
    def message(n):
        with pytest.raises(ValidationError) as caught:
            services.common._lots(controller, n, [], required=True)
        return caught.value.message_dict["lots"][0]

    assert message(1) == "MC-72V is tracked by serial number: give 1 serial number."
    assert message(2) == "MC-72V is tracked by serial number: give 2 different serial numbers."
    with translation.override("zh-hans"):
        assert message(1) == "MC-72V 按序列号追溯：请填写 1 个序列号（不可重复）。"
        assert message(3) == "MC-72V 按序列号追溯：请填写 3 个序列号（不可重复）。"


def test_the_reserved_row_of_the_job_card_is_labelled(
    technician_client, job, depots, battery, stock, dispatcher
):
    stock(battery, depots["hq"], 2)
    services.reserve_part(job, part=battery, depot=depots["hq"], quantity=1, actor=dispatcher)
    card = _card(technician_client.get(reverse("incidents:my_jobs")).text, job)
    row = card[card.index('class="sp-used"') :]
    assert "—" not in row[: row.index("</ul>")]
    assert "Not used yet" in row


def test_the_job_page_reads_what_every_card_shares_once(
    dispatcher, technician, technician_client, depots, battery, stock
):
    """bench/pages: a technician with 30 jobs made 337 queries, every card re-reading the
    user's roles, the unread count, the SKU list and the depot list; then 99, each card
    reading its own parts and default depot. The page reads the parts of all its cards at
    once now: the query count does not grow with the cards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stock(battery, depots["hq"], 10)

    def jobs_page(n_jobs):
        while len(technician_client.get(reverse("incidents:my_jobs")).context["jobs"]) < n_jobs:
            job = factories.report(dispatcher)
            incident_services.confirm_incident(job, actor=dispatcher)
            incident_services.dispatch_incident(job, actor=dispatcher, assignee=technician)
            services.reserve_part(
                job, part=battery, depot=depots["hq"], quantity=1, actor=dispatcher
            )
        with CaptureQueriesContext(connection) as queries:
            html = technician_client.get(reverse("incidents:my_jobs")).text
        assert html.count('class="sp-used"') == n_jobs  # every card open, with its parts
        return [q["sql"] for q in queries.captured_queries]

    two, five = jobs_page(2), jobs_page(5)
    for shared in ('FROM "auth_group"', 'FROM "notifications_notification"'):
        assert sum(shared in sql for sql in five) == 1, shared
    assert sum('"spareparts_part"."sku" AS "sku"' in sql for sql in five) == 1
    assert (
        sum(
            'FROM "spareparts_depot" WHERE "spareparts_depot"."is_active" ORDER' in sql
            for sql in five
        )
        == 1
    )
    assert len(five) == len(two)
