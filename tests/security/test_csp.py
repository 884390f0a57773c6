"""Content-Security-Policy (issue 13, finding 7): every kind of page answers with the strict
policy, enforced, and no template carries inline script, an inline event handler or an htmx
expression that would need eval. The browser crawl (tests/e2e/test_crawl.py) checks that
nothing on a real page is refused under it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _policy(response) -> dict[str, str]:
    assert "Content-Security-Policy-Report-Only" not in response.headers
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, _sep, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


def _assert_strict(response) -> None:
    directives = _policy(response)
    for name, value in REQUIRED.items():
        assert directives.get(name) == value, (name, directives.get(name))
    for name in ("script-src", "default-src", "style-src", "style-src-elem"):
        assert "unsafe-inline" not in directives.get(name, ""), name
        assert "unsafe-eval" not in directives.get(name, ""), name


@pytest.fixture
def incident(org, dispatcher):
    return factories.report(dispatcher)


def test_public_pages_answer_the_strict_policy(client):
    for url in ("/login/", "/assessments/survey/not-a-token/", "/no-such-page/", "/healthz"):
        _assert_strict(client.get(url))


def test_desk_pages_answer_the_strict_policy(manager_client, incident):
    for url in (
        "/",
        "/incidents/",
        "/incidents/new/",
        f"/incidents/{incident.pk}/",
        "/dashboard/",
        "/dashboard/?wall=1",
        "/teams/",
        "/spareparts/",
        "/notifications/",
        "/profile/",
    ):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        _assert_strict(response)


def test_htmx_fragments_and_api_answer_the_strict_policy(manager_client, incident):
    _assert_strict(manager_client.get("/incidents/", headers={"HX-Request": "true"}))
    _assert_strict(manager_client.get("/api/v1/incidents/"))


def test_admin_pages_answer_the_strict_policy(org):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Root-123")
    client = Client()
    client.force_login(admin)
    for url in ("/admin/", "/admin/incidents/incident/", "/admin/auth/user/add/"):
        _assert_strict(client.get(url))


TEMPLATE_DIRS = [
    Path(settings.BASE_DIR) / "templates",
    *Path(settings.BASE_DIR).glob("*/templates"),
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
NEEDS_EVAL = re.compile(r"hx-on|hx-vars|js:", re.I)
TRIGGER = re.compile(r'hx-trigger="([^"]*)"')


def _trigger_filters(text: str) -> list[str]:
    """htmx trigger filters (``every 5s [cond]``) are compiled with eval; a ``from:`` CSS
    selector's brackets are not."""
    found = []
    for match in TRIGGER.finditer(text):
        spec = re.sub(r"from:\S+", "", match.group(1))
        if "[" in spec:
            found.append(match.group(0))
    return found


def test_templates_carry_no_inline_script_handler_or_eval():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for pattern in (INLINE_SCRIPT, HANDLER, NEEDS_EVAL, re.compile(r"<style", re.I)):
                found += [f"{path}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not found, "\n".join(found)


def test_htmx_runs_without_eval(manager_client):
    html = manager_client.get("/").content.decode()
    assert '<meta name="htmx-config"' in html
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
