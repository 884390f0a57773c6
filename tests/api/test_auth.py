from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.services import create_api_key, hash_key, revoke_api_key
from tests.api.conftest import NEW_INCIDENT

pytestmark = pytest.mark.django_db
LIST = "/api/v1/incidents/"


def test_no_credentials_get_401_with_challenge():
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_unknown_key_gets_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token as_not-a-real-key")
    assert client.get(LIST).status_code == 401


@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
def test_token_and_bearer_schemes_authenticate(org, dispatcher, key_client, scheme):
    assert key_client(dispatcher, scheme=scheme).get(LIST).status_code == 200


def test_malformed_authorization_header_gets_401(dispatcher):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two parts")
    assert client.get(LIST).status_code == 401


def test_key_is_stored_hashed_and_shown_once(dispatcher):
    api_key, raw = create_api_key(dispatcher, name="crm")
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert stored.key_hash == hash_key(raw)
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix)


def test_expired_key_gets_401(org, dispatcher, key_client):
    client = key_client(dispatcher, expires_in_days=1)
    assert client.get(LIST).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1), tick=False):
        assert client.get(LIST).status_code == 401


def test_revoked_key_gets_401(org, dispatcher, key_client):
    client = key_client(dispatcher)
    revoke_api_key(ApiKey.objects.get(user=dispatcher), actor=dispatcher)
    assert client.get(LIST).status_code == 401


def test_key_of_inactive_user_gets_401(org, dispatcher, key_client):
    client = key_client(dispatcher)
    dispatcher.is_active = False
    dispatcher.save(update_fields=["is_active"])
    assert client.get(LIST).status_code == 401


def test_read_only_key_can_read_but_not_write(org, dispatcher, key_client, incident):
    client = key_client(dispatcher, read_only=True)
    assert client.get(LIST).status_code == 200
    assert client.post(LIST, NEW_INCIDENT, format="json").status_code == 403
    assert client.post(f"{LIST}{incident.pk}/confirm/", {}).status_code == 403
    assert client.patch(f"{LIST}{incident.pk}/", {"title": "x"}).status_code == 403
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_use_stamps_last_used_at(org, dispatcher, key_client):
    client = key_client(dispatcher)
    assert ApiKey.objects.get(user=dispatcher).last_used_at is None
    client.get(LIST)
    assert ApiKey.objects.get(user=dispatcher).last_used_at is not None


def test_session_auth_works_for_the_browser(dispatcher_client, org):
    assert dispatcher_client.get(LIST).status_code == 200


def test_session_writes_need_csrf(dispatcher, org):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(dispatcher)
    response = client.post(LIST, NEW_INCIDENT, format="json")
    assert response.status_code == 403


def test_create_api_token_prints_only_the_key(dispatcher, capsys):
    call_command("create_api_token", "disp", "--read-only", "--expires-days", "7")
    out = capsys.readouterr().out.strip()
    api_key = ApiKey.objects.get(user=dispatcher)
    assert out.count("\n") == 0
    assert api_key.key_hash == hash_key(out)
    assert api_key.read_only
    assert api_key.expires_at is not None


def test_create_api_token_refuses_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody")
