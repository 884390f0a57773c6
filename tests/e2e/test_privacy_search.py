"""The incident list in Chromium: a dispatcher types a caller's phone, however they write it,
and sees that caller's incident though the phone is encrypted in the database (found by its
blind index, core/crypto.py)."""

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"  # the factories' password


def test_a_typed_phone_finds_the_callers_incident(open_as, live_server):
    factories.make_org()
    dispatcher = factories.UserFactory(username="desk", roles=["dispatcher"])
    caller = factories.report(
        dispatcher, title="Door will not close", customer_phone="+86 139 0171 2233"
    )
    other = factories.report(
        dispatcher, title="Brake warning light", customer_phone="+86 139 0171 2234"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT customer_phone FROM incidents_incident WHERE id = %s", [caller.pk])
        assert "2233" not in cursor.fetchone()[0]  # what the database holds is ciphertext

    page = open_as("desk", password=PASSWORD)
    page.goto(f"{live_server.url}/incidents/")
    rows = page.locator("#results tbody tr[id^=row-]")
    expect(rows).to_have_count(2)

    box = page.get_by_label("Search")
    box.press_sequentially("139-0171-2233", delay=20)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(caller.number)
    expect(rows.first).to_contain_text("Door will not close")

    # Part of a number finds nothing: there is no clear text to search inside.
    box.fill("")
    box.press_sequentially("0171", delay=20)
    expect(page.locator("#results .empty-state")).to_be_visible()

    box.fill("")
    box.press_sequentially("13901712234", delay=20)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(other.number)
