"""Live countdowns read with units in both languages (static/js/app.js)."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("lang", "late", "left"),
    [("en", "late by 24m ", "left"), ("zh-hans", "已逾期 24分 ", "后到期")],
)
def test_countdown_under_an_hour_shows_minutes_and_seconds(browser, live_server, lang, late, left):
    context = browser.new_context()
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    now = timezone.now()
    past = (now - timedelta(minutes=24, seconds=52)).isoformat()
    future = (now + timedelta(minutes=9, seconds=5)).isoformat()
    page.evaluate(
        """([past, future]) => {
            for (const [id, when] of [["past", past], ["future", future]]) {
                const el = document.createElement("span");
                el.id = id; el.setAttribute("data-deadline", when);
                document.body.appendChild(el);
            }
        }""",
        [past, future],
    )
    # A function, not an expression string (Playwright evals a string; the CSP refuses it).
    page.wait_for_function("() => document.getElementById('past').textContent !== ''")
    text = page.inner_text("#past")
    assert text.startswith(late), text
    assert text.endswith("s" if lang == "en" else "秒"), text
    assert ":" not in text
    ahead = page.inner_text("#future")
    assert ahead.startswith("9m " if lang == "en" else "9分 ") and ahead.endswith(left), ahead
    context.close()
