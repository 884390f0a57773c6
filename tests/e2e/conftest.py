"""Fixtures for tests that drive Debian's Chromium (headless) through Playwright.

``browser`` is one Chromium per test; ``open_as(username, lang=, phone=)`` gives a logged-in
page that typed its password into the login form, as a person does (and, where MFA asks,
the code of the user's authenticator: ``totp_code``). ``demo`` loads the demo
organisation (``manage.py load_demo``) into the test database, so a test can walk the desk
as the demo users with every kind of row present.
"""

import os
import shutil

import pytest
from django.core.management import call_command
from django.db import connections

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
# between browser steps are ordinary synchronous code. While that loop runs, Django keeps
# those calls' connection apart from the thread's own (asgiref's Local is context-scoped
# under a running loop), so the browser fixture closes it before the loop stops.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/services.sh up (installs it)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()
        # Otherwise it stays open and the test database cannot be dropped at the end.
        connections.close_all()


def login_page(browser, base_url, username, password, *, lang="en", phone=False):
    """A new browser context, logged in through the login form as a person would."""
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, is_mobile=phone)
    context.add_cookies([{"name": "django_language", "value": lang, "url": base_url}])
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, f"{username} could not log in: {page.url}"
    if "/profile/mfa/verify/" in page.url:
        # MFA is on and the user has an authenticator: type the code it would show.
        page.fill("input[name=code]", totp_code(username))
        with page.expect_navigation():
            page.press("input[name=code]", "Enter")
        page.wait_for_load_state("networkidle")
        assert "/profile/mfa/" not in page.url, f"{username}: code refused: {page.url}"
    return page


def totp_code(username: str) -> str:
    """The code ``username``'s authenticator app shows now (MFA tests)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed").first()
    assert device is not None, f"{username} has no TOTP device"
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(username, password=..., lang="en", phone=False)`` -> a logged-in Page."""
    from demo.data import DEMO_PASSWORD

    def _open(username, *, password=DEMO_PASSWORD, lang="en", phone=False):
        return login_page(browser, live_server.url, username, password, lang=lang, phone=phone)

    return _open


@pytest.fixture
def demo(transactional_db):
    """The demo organisation and its incidents, as ``make run`` loads them."""
    call_command("load_demo", verbosity=0)
