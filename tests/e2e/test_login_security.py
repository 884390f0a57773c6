"""Issue 13, findings 2 and 8 in a browser: ten wrong passwords lock the account out (the
right one is then refused, with a message in the reader's language); a manager enrols an
authenticator app and logs in with its code."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import MANAGER
from tests.e2e.conftest import DESKTOP, PHONE, totp_code
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "right-Horse-42"


def _attempt(page, base, username, password):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button.btn-primary")


@pytest.mark.parametrize(
    ("lang", "viewport", "expected"),
    [("en", DESKTOP, "Too many failed logins"), ("zh-hans", PHONE, "登录失败次数过多")],
)
def test_ten_wrong_passwords_then_the_right_one_is_locked_out(
    browser, live_server, lang, viewport, expected
):
    UserFactory(username="wei", password=PASSWORD)
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    for _ in range(9):
        _attempt(page, live_server.url, "wei", "wrong-guess")
        assert page.locator(".errorlist").is_visible()
    _attempt(page, live_server.url, "wei", "wrong-guess")
    _attempt(page, live_server.url, "wei", PASSWORD)
    assert "/login/" in page.url
    assert expected in page.locator("#lockout").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # Still locked when the page is loaded anew: nothing lets the account in.
    page.goto(f"{live_server.url}/profile/")
    assert "/login/" in page.url


def test_a_manager_enrols_an_authenticator_and_logs_in_with_its_code(
    browser, live_server, settings
):
    settings.MFA_ENABLED = True
    settings.MFA_REQUIRED_ROLES = ["manager"]
    UserFactory(username="boss", password=PASSWORD, roles=[MANAGER])
    page = browser.new_context(viewport=DESKTOP).new_page()
    _attempt(page, live_server.url, "boss", PASSWORD)
    assert "/profile/mfa/" in page.url
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()
    assert page.locator("#totp-secret").inner_text().strip()
    page.fill("input[name=code]", totp_code("boss"))
    with page.expect_navigation():
        page.click("button.btn-primary")
    assert "/profile/mfa/" not in page.url
    page.goto(f"{live_server.url}/incidents/")
    assert page.url.endswith("/incidents/")

    # A new login asks for the code again after the password. django-otp refuses a code
    # used twice in one 30-second step; stand in for the wait.
    TOTPDevice.objects.filter(user__username="boss").update(last_t=-1)
    page2 = browser.new_context(viewport=DESKTOP).new_page()
    _attempt(page2, live_server.url, "boss", PASSWORD)
    assert "/profile/mfa/verify/" in page2.url
    page2.goto(f"{live_server.url}/incidents/")
    assert "/profile/mfa/verify/" in page2.url
    page2.fill("input[name=code]", totp_code("boss"))
    with page2.expect_navigation():
        page2.click("button.btn-primary")
    assert page2.url.endswith("/incidents/")
