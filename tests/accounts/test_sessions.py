"""Finding 8 of issue 13: desk sessions time out when idle; everyone can change their
password."""

import time

import pytest

from accounts.middleware import LAST_ACTIVITY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _age(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_logged_out(client, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    client.force_login(UserFactory())
    assert client.get("/profile/").status_code == 200
    _age(client, 31 * 60)
    response = client.get("/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fprofile%2F"
    assert "_auth_user_id" not in client.session


def test_a_page_load_keeps_the_session_alive(client):
    client.force_login(UserFactory())
    client.get("/profile/")
    _age(client, 29 * 60)
    assert client.get("/profile/").status_code == 200
    _age(client, 29 * 60)  # measured from the last page load, not the login
    assert client.get("/profile/").status_code == 200


def test_htmx_polling_is_not_activity(client):
    client.force_login(UserFactory())
    client.get("/profile/")
    _age(client, 20 * 60)
    assert client.get("/", HTTP_HX_REQUEST="true").status_code == 200
    _age(client, 31 * 60)
    assert client.session[LAST_ACTIVITY] <= int(time.time()) - 31 * 60
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_the_session_cookie_lasts_a_working_day_not_two_weeks(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_a_user_changes_their_password(client):
    user = UserFactory(password="old-Secret-123")
    client.force_login(user)
    profile = client.get("/profile/").content.decode()
    assert 'href="/profile/password/"' in profile
    response = client.post(
        "/profile/password/",
        {
            "old_password": "old-Secret-123",
            "new_password1": "new-Lantern-987",
            "new_password2": "new-Lantern-987",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-Lantern-987")
    assert client.get("/profile/").status_code == 200  # still logged in


def test_a_wrong_old_password_is_a_form_error(client):
    user = UserFactory(password="old-Secret-123")
    client.force_login(user)
    response = client.post(
        "/profile/password/",
        {
            "old_password": "nope",
            "new_password1": "new-Lantern-987",
            "new_password2": "new-Lantern-987",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("old-Secret-123")
