# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""Assessments driven in Chromium as people use them: the customer answers the survey on a
phone, the technician and the customer sign, the manager reviews and follows up, and the
evaluation reads in Chinese."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Survey
from tests import factories
from tests.assessments.conftest import walk
from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"


def _resolved(org, **fields):
    return walk(
        "II",
        timezone.now() - timedelta(hours=3),
        confirm=5,
        dispatch=10,
        arrive=40,
        resolve=90,
        team=org["service_centre"],
        **fields,
    )


@pytest.mark.parametrize(
    ("lang", "heading", "thanks"),
    [("en", "How did we do?", "Thank you!"), ("zh-hans", "服务评价", "谢谢！")],
)
def test_customer_answers_the_survey_on_a_phone(browser, live_server, lang, heading, thanks):
    org = factories.make_org()
    incident = _resolved(org, customer_name="张伟" if lang == "zh-hans" else "Sam Lee")
    survey = Survey.objects.get(incident=incident)
    # An anonymous customer: no session, no language cookie; the link alone.
    page = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    page.goto(f"{live_server.url}/assessments/survey/{survey.token}/")
    assert page.locator("html").get_attribute("lang") == lang
    assert heading in page.locator("h1").inner_text()
    page.locator("label[for=r4]").click()
    page.fill("textarea[name=comment]", "师傅很专业" if lang == "zh-hans" else "Quick and kind.")
    page.locator("form button").click()
    page.wait_for_load_state("networkidle")
    assert thanks in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    survey.refresh_from_db()
    assert survey.rating == 4 and survey.answered_at is not None
