"""The technician offline, as a person: a 360 px phone in Chromium loses its signal on
My jobs, arrives, adds a note and a photo, gets the signal back; the actions are sent once,
in order, with the phone's times and position, and the dispatcher's page shows them."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from field.models import SyncedAction
from incidents import services as incidents
from incidents.models import EventKind
from tests import factories
from tests.e2e.conftest import browser, login_page  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"  # tests.factories.UserFactory's
SITE = (Decimal("31.230400"), Decimal("121.473700"))
PHONE_AT = {"latitude": 31.2309, "longitude": 121.4741, "accuracy": 15}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_offline_arrival_note_and_photo_sync_once_in_order(browser, live_server):  # noqa: F811
    org = factories.make_org()
    tech = factories.UserFactory(username="roadside", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=tech)
    dispatcher = factories.UserFactory(username="desk", roles=["dispatcher"])
    earlier = timezone.now() - timedelta(hours=1)
    job = factories.report(
        grade="II",
        location="People's Square",
        latitude=SITE[0],
        longitude=SITE[1],
        reported_at=earlier,
        now=earlier,
    )
    incidents.confirm_incident(job, actor=None, now=earlier)
    incidents.dispatch_incident(job, actor=None, assignee=tech, now=earlier)

    page = login_page(browser, live_server.url, "roadside", PASSWORD, phone=True)
    context = page.context
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation(PHONE_AT)
    page.goto(f"{live_server.url}{reverse('incidents:my_jobs')}")
    # The service worker took over the page: it can answer without a network.
    page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=10000)
    card = page.locator(f"#job-{job.pk}")

    context.set_offline(True)
    page.reload()  # served by the service worker from its cache
    card.locator("form[data-field-kind=arrive] button").click()
    card.locator("summary", has_text="Add a note").click()
    card.locator("form[data-field-kind=note] textarea").fill("Pack swapped, customer informed")
    card.locator("form[data-field-kind=note] button").click()
    card.locator("summary", has_text="Add a photo").click()
    card.locator("form[data-field-kind=photo] input[type=file]").set_input_files(
        [
            {"name": "a.png", "mimeType": "image/png", "buffer": _png()},
            {"name": "b.png", "mimeType": "image/png", "buffer": _png()},
        ]
    )
    assert card.locator("[data-previews] img").count() == 2  # previews before sending
    card.locator("form[data-field-kind=photo] button").click()
    pending = card.locator("[data-pending] li")
    pending.nth(3).wait_for()
    assert pending.count() == 4  # arrival, note, two photos: waiting on the phone
    assert "Offline" in page.locator("#field-status").inner_text()
    job.refresh_from_db()
    assert job.status == "dispatched" and not SyncedAction.objects.exists()

    context.set_offline(False)  # the signal returns: the queue is sent
    page.locator("#field-status", has_text="All sent.").wait_for(timeout=15000)
    assert card.locator("[data-pending] li").count() == 0

    rows = list(SyncedAction.objects.order_by("acted_at", "pk"))
    assert [r.kind for r in rows] == ["arrive", "note", "photo", "photo"]
    assert all(r.outcome == "applied" and r.device_at == r.acted_at for r in rows)
    assert all(r.received_at > r.device_at for r in rows)  # the phone's time, not ours
    arrival = rows[0]
    assert arrival.position_status == "ok" and arrival.accuracy_m == 15
    assert 40 < arrival.distance_m < 100 and not arrival.far
    job.refresh_from_db()
    assert job.status == "on_site" and job.arrived_at == arrival.device_at
    assert job.events.filter(kind=EventKind.NOTE).count() == 1
    assert job.photos.count() == 2

    desk = Client()
    desk.force_login(dispatcher)
    html = desk.get(reverse("incidents:detail", args=[job.pk])).content.decode()
    assert "From the technician&#x27;s phone" in html or "From the technician's phone" in html
    assert "Pack swapped, customer informed" in html
