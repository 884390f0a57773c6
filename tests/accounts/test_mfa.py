"""Finding 8 of issue 13: managers and superusers log in with a TOTP code as well."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import DISPATCHER, MANAGER
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "right-Horse-42"


def code_for(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def mfa(settings):
    settings.MFA_ENABLED = True
    settings.MFA_REQUIRED_ROLES = ["manager"]


def _login(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def test_a_manager_without_a_device_is_sent_to_enrolment(client, mfa):
    UserFactory(username="boss", password=PASSWORD, roles=[MANAGER])
    _login(client, "boss")
    response = client.get("/incidents/")
    assert response.status_code == 302
    assert response["Location"].startswith("/profile/mfa/?next=")
    page = client.get("/profile/mfa/").content.decode()
    assert "data:image/svg+xml;base64," in page
    device = TOTPDevice.objects.get(user__username="boss", confirmed=False)
    wrong = client.post(
        "/profile/mfa/", {"code": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert client.get("/incidents/").status_code == 302
    # django-otp makes the next try wait after a failure (1 s, doubling); skip the wait.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    ok = client.post("/profile/mfa/", {"code": code_for(device), "next": "/incidents/"})
    assert ok["Location"] == "/incidents/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/incidents/").status_code == 200


def test_an_enrolled_manager_must_enter_a_code_after_the_password(client, mfa):
    user = UserFactory(username="boss", password=PASSWORD, roles=[MANAGER])
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _login(client, "boss")
    response = client.get("/incidents/")
    assert response["Location"].startswith("/profile/mfa/verify/")
    # Enrolling anew is not a way around the code.
    assert client.get("/profile/mfa/")["Location"].startswith("/profile/mfa/verify/")
    assert client.post("/profile/mfa/verify/", {"code": "12345x"}).status_code == 200
    assert client.get("/incidents/").status_code == 302
    response = client.post(
        "/profile/mfa/verify/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert client.get("/incidents/").status_code == 200


def test_superusers_need_the_code_and_the_admin_is_covered(client, mfa):
    UserFactory(username="root", password=PASSWORD, is_superuser=True, is_staff=True)
    _login(client, "root")
    assert client.get("/admin/")["Location"].startswith("/profile/mfa/")


def test_other_roles_log_in_with_a_password(client, mfa):
    UserFactory(username="desk", password=PASSWORD, roles=[DISPATCHER])
    _login(client, "desk")
    assert client.get("/incidents/").status_code == 200


def test_mfa_is_off_when_disabled(client, settings):
    settings.MFA_ENABLED = False
    UserFactory(username="boss", password=PASSWORD, roles=[MANAGER])
    _login(client, "boss")
    assert client.get("/incidents/").status_code == 200


def test_htmx_requests_are_redirected_by_header(client, mfa):
    UserFactory(username="boss", password=PASSWORD, roles=[MANAGER])
    _login(client, "boss")
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/profile/mfa/")


def test_the_admin_lists_devices_without_their_keys_and_removes_them(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    user = UserFactory(username="boss", roles=[MANAGER])
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(admin)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "boss" in page and "已确认" in page
    assert "qrcode" not in page and device.key not in page
    change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in change
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
