"""The dispatcher sees the demo taxi's 三包 warning on its incident and opens the vehicle
page from it, in English on a desktop and in Chinese on a phone."""

import pytest

from demo.data import vin
from incidents.models import OPEN_STATUSES, Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASES = [
    ("en", False, "三包 warning", "The next repair of this problem makes a replacement case"),
    ("zh-hans", True, "三包预警", "此问题再修理一次即构成换车情形"),
]


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


@pytest.mark.parametrize(("lang", "phone", "pill", "warning"), CASES)
def test_the_dispatcher_sees_the_sanbao_warning_and_opens_the_vehicle(
    demo, open_as, live_server, tmp_path, lang, phone, pill, warning
):
    taxi = vin(1)
    incident = Incident.objects.filter(asset_ref=taxi, status__in=OPEN_STATUSES).get()
    page = open_as("dispatcher", lang=lang, phone=phone)
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    panel = page.locator("#sanbao-panel")
    panel.scroll_into_view_if_needed()
    assert panel.locator(".sanbao-level").inner_text() == pill
    assert warning in panel.inner_text()
    assert taxi in panel.inner_text()
    width = "360" if phone else "1366"
    panel.screenshot(path=tmp_path / f"panel-{lang}-{width}.png")
    assert _no_horizontal_overflow(page)

    panel.get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/vehicles/{taxi}/")
    assert taxi in page.locator("h1").inner_text()
    status = page.locator("#sanbao-status")
    assert status.locator(".sanbao-level").inner_text() == pill
    assert warning in status.inner_text()
    assert incident.number in page.inner_text("body")
    page.screenshot(path=tmp_path / f"vehicle-{lang}-{width}.png", full_page=True)
    assert _no_horizontal_overflow(page)
    if lang == "zh-hans":
        body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        for english in ("Vehicle", "Mileage", "Powertrain", "repairs counted", "Warranty"):
            assert english not in body
    assert not violations
