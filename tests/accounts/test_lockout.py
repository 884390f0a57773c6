"""Finding 2 of issue 13: password guessing is locked out per account and per address."""

import pytest
from django.core.management import call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "right-Horse-42"


@pytest.fixture
def person():
    return UserFactory(username="wei", password=PASSWORD)


def _try(client, url, username, password, addr="10.1.1.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=addr)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_the_right_password_after_ten_wrong_ones_is_refused(client, person, settings, url):
    assert settings.AXES_FAILURE_LIMIT == 10
    person.is_staff = True
    person.save()
    for _ in range(10):
        _try(client, url, "wei", "wrong")
    response = _try(client, url, "wei", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_account_is_locked_from_every_address(client, person):
    for i in range(10):
        _try(client, "/login/", "wei", "wrong", addr=f"10.2.0.{i}")
    assert _try(client, "/login/", "wei", PASSWORD, addr="10.9.9.9").status_code == 429


def test_an_address_is_locked_for_every_account(client, person):
    for i in range(10):
        _try(client, "/login/", f"guess{i}", "wrong", addr="10.3.3.3")
    assert _try(client, "/login/", "wei", PASSWORD, addr="10.3.3.3").status_code == 429
    # Another address still logs in.
    assert _try(client, "/login/", "wei", PASSWORD, addr="10.4.4.4").status_code == 302


def test_unknown_user_and_wrong_password_read_the_same(client, person):
    unknown = _try(client, "/login/", "nobody", "wrong").content.decode()
    wrong = _try(client, "/login/", "wei", "wrong").content.decode()
    assert "Please enter a correct username and password" in unknown
    assert "Please enter a correct username and password" in wrong
    for _ in range(10):
        _try(client, "/login/", "nobody", "wrong", addr="10.5.5.5")
        _try(client, "/login/", "wei", "wrong", addr="10.6.6.6")
    a = _try(client, "/login/", "nobody", "x", addr="10.5.5.5")
    b = _try(client, "/login/", "wei", "x", addr="10.6.6.6")
    assert a.status_code == b.status_code == 429


def test_the_lockout_message_is_translated(client, person):
    client.cookies["django_language"] = "zh-hans"
    for _ in range(10):
        _try(client, "/login/", "wei", "wrong")
    page = _try(client, "/login/", "wei", PASSWORD).content.decode()
    assert "登录失败次数过多" in page


def test_an_admin_unlocks_with_the_command(client, person):
    for i in range(10):
        _try(client, "/login/", "wei", "wrong", addr=f"10.7.0.{i}")
    call_command("axes_reset_username", "wei")
    assert _try(client, "/login/", "wei", PASSWORD, addr="10.8.8.8").status_code == 302


def test_a_success_resets_the_count(client, person):
    for _ in range(9):
        _try(client, "/login/", "wei", "wrong")
    assert _try(client, "/login/", "wei", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        _try(client, "/login/", "wei", "wrong")
    assert _try(client, "/login/", "wei", PASSWORD).status_code == 302


def test_forwarded_address_counts_only_behind_configured_proxies(rf, settings):
    from accounts.lockout import client_address

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert client_address(request) == "127.0.0.1"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_address(request) == "1.2.3.4"
