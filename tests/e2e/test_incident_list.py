"""The incident list in Chromium, as a dispatcher uses it: filters and search by clicking
and typing, Chinese labels and errors, saved filters, bulk confirm with per-row results,
CSV export, live refresh, and a phone-width page."""

import csv
import re

import pytest
from playwright.sync_api import expect

from incidents import services
from incidents.models import Incident, Status
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"
LIVE_SECONDS = 5


@pytest.fixture
def desk(db):
    """A dispatcher, a manager and three incidents: a Level I report, a confirmed Level II
    and a dispatched Level III."""
    org = factories.make_org()
    dispatcher = factories.UserFactory(username="desk", roles=["dispatcher"])
    manager = factories.UserFactory(username="chief", roles=["manager"])
    fire = factories.report(dispatcher, grade="I", title="Charger fire in depot")
    noise = factories.report(dispatcher, grade="II", title="Motor noise at speed")
    services.confirm_incident(noise, actor=manager)
    flat = factories.report(dispatcher, grade="III", title="Flat tyre on ring road")
    services.confirm_incident(flat, actor=manager)
    services.dispatch_incident(flat, actor=manager, team=org["service_centre"])
    return {
        "dispatcher": dispatcher,
        "manager": manager,
        "fire": fire,
        "noise": noise,
        "flat": flat,
    }


def open_list(open_as, live_server, *, lang="en", phone=False):
    page = open_as("desk", password=PASSWORD, lang=lang, phone=phone)
    page.goto(f"{live_server.url}/incidents/")
    expect(page.locator("#results")).to_be_visible()
    return page


def rows(page):
    return page.locator("#results tbody tr[id^=row-]")


def expect_rows(page, *incidents):
    numbers = [i.number for i in incidents]
    expect(rows(page)).to_have_count(len(numbers))
    for number in numbers:
        expect(rows(page).filter(has_text=number)).to_have_count(1)


def chip(page, group: str, label: str):
    """A status/grade box by its visible words ("Level I" is not "Level II")."""
    words = re.compile(rf"^\s*{re.escape(label)}(\s|$)")
    return page.get_by_role("group", name=group).locator("label.chip", has_text=words)


def search(page, text: str):
    box = page.get_by_label("Search")
    box.fill("")
    box.press_sequentially(text, delay=20)


def no_overflow(page) -> bool:
    width = page.evaluate("document.documentElement.clientWidth")
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_filters_and_search_show_the_matching_rows(open_as, live_server, desk):
    page = open_list(open_as, live_server)
    expect_rows(page, desk["fire"], desk["noise"], desk["flat"])

    chip(page, "Status", "Any").click()
    chip(page, "Status", "Confirmed").click()
    chip(page, "Grade", "Any").click()
    chip(page, "Grade", "Level II").click()
    expect_rows(page, desk["noise"])
    # The address keeps the filters (a reload or a shared link shows the same rows).
    expect(page).to_have_url(re.compile(r"status=confirmed.*grade=II"))
    expect(page.locator("[role=alert]")).to_have_count(0)

    # Back to "Any" for both, then a search that matches nothing.
    chip(page, "Status", "Any").click()
    chip(page, "Grade", "Any").click()
    expect_rows(page, desk["fire"], desk["noise"], desk["flat"])
    search(page, "zzz-no-such-thing")
    expect(page.locator("#results .empty-state")).to_have_text("No incidents match.")
    expect(rows(page)).to_have_count(0)

    search(page, "tyre")
    expect_rows(page, desk["flat"])

    # The same page on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    expect_rows(page, desk["flat"])
    assert no_overflow(page)


def test_chinese_labels_and_a_bad_filter_link_on_a_phone(open_as, live_server, desk):
    page = open_list(open_as, live_server, lang="zh-hans", phone=True)
    assert no_overflow(page)
    expect(page.get_by_role("group", name="状态")).to_be_visible()
    expect(chip(page, "状态", "全部")).to_be_visible()
    expect(page.get_by_label("负责人")).to_be_visible()
    expect(page.get_by_role("button", name="应用于所选事件")).to_be_visible()

    chip(page, "状态", "全部").click()
    chip(page, "状态", "已确认").click()
    expect_rows(page, desk["noise"])
    expect(page.locator("[role=alert]")).to_have_count(0)

    # An old bookmark with a value the list no longer knows.
    page.goto(f"{live_server.url}/incidents/?status=exploded&grade=")
    alert = page.locator("#results [role=alert]")
    expect(alert).to_contain_text("以下筛选条件无效")
    expect(alert).to_contain_text("状态")
    expect(rows(page)).to_have_count(0)
    body = page.locator("body").inner_text()
    for english in ("Select a valid choice", "cannot be applied", "status:", "Status"):
        assert english not in body
    assert no_overflow(page)


def test_save_a_filter_re_apply_it_and_export_its_rows(open_as, live_server, desk):
    page = open_list(open_as, live_server)
    chip(page, "Grade", "Level I").click()
    chip(page, "Grade", "Level III").click()
    expect_rows(page, desk["fire"], desk["flat"])

    page.get_by_text("Saved filters (0)").click()
    page.get_by_label("Save the current filters as").fill("Levels I and III")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved filters (1)")).to_be_visible()
    saved = desk["dispatcher"].saved_incident_filters.get()
    assert saved.name == "Levels I and III"

    page.get_by_role("link", name="Reset").click()
    expect_rows(page, desk["fire"], desk["noise"], desk["flat"])
    page.get_by_text("Saved filters (1)").click()
    page.get_by_role("link", name="Levels I and III").click()
    expect_rows(page, desk["fire"], desk["flat"])
    expect(chip(page, "Grade", "Level I").locator("input")).to_be_checked()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    assert table[0][:2] == ["Number", "Title"]
    assert sorted(r[0] for r in table[1:]) == sorted([desk["fire"].number, desk["flat"].number])

    page.get_by_text("Saved filters (1)").click()
    page.get_by_role("button", name="Delete saved filter Levels I and III").click()
    expect(page.get_by_text("Saved filters (0)")).to_be_visible()
    assert not desk["dispatcher"].saved_incident_filters.exists()


def test_bulk_confirm_with_one_refused_and_live_refresh(open_as, live_server, desk):
    fire, noise = desk["fire"], desk["noise"]
    page = open_list(open_as, live_server)
    page.get_by_label(f"Select {fire.number}").check()
    page.get_by_label(f"Select {noise.number}").check()
    expect(page.locator("#bulk-count")).to_have_text("Selected: 2")
    # A refresh of the results (every few seconds) keeps the ticks.
    with page.expect_response(re.compile(r"/incidents/\?"), timeout=LIVE_SECONDS * 1000):
        pass
    expect(page.get_by_label(f"Select {fire.number}")).to_be_checked()

    page.get_by_label("Action").select_option("confirm")
    page.get_by_role("button", name="Apply to selected").click()
    results = page.locator("#bulk-results")
    expect(results).to_contain_text("1 done, 1 refused.")
    expect(results.locator("tr", has_text=fire.number)).to_contain_text("Confirmed")
    expect(results.locator("tr", has_text=noise.number)).to_contain_text(
        "Cannot confirm an incident that is confirmed."
    )
    fire.refresh_from_db()
    assert fire.status == Status.CONFIRMED
    # The list shows the new status at once, and the confirmed row is no longer ticked.
    expect(page.locator(f"#row-{fire.pk}")).to_contain_text("Confirmed")
    expect(page.locator("#bulk-count")).to_have_text("Selected: 1")

    # A report logged meanwhile (by someone else) appears without a reload.
    new = factories.report(desk["manager"], grade="I", title="Smoke from battery bay")
    expect(page.locator(f"#row-{new.pk}")).to_be_visible(timeout=LIVE_SECONDS * 1000)
    # ... and so does its confirmation.
    services.confirm_incident(Incident.objects.get(pk=new.pk), actor=desk["manager"])
    expect(page.locator(f"#row-{new.pk} .status-confirmed")).to_be_visible(
        timeout=LIVE_SECONDS * 1000
    )
