"""Issue 13, finding 9: wrong API keys are throttled per address, so keys cannot be guessed
at full speed."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import create_api_key

pytestmark = pytest.mark.django_db
LIST = "/api/v1/incidents/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _get(key, addr):
    client = APIClient(REMOTE_ADDR=addr)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(LIST)


def test_wrong_keys_from_one_address_are_throttled(dispatcher):
    statuses = [_get(f"as_guess-{i}", "10.0.0.7").status_code for i in range(10)]
    assert statuses == [401] * 10
    blocked = _get("as_guess-x", "10.0.0.7")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    # While blocked, even a right key from that address waits: a guess that hits is no use.
    _api_key, raw = create_api_key(dispatcher, name="crm")
    assert _get(raw, "10.0.0.7").status_code == 429
    # Another address is not affected.
    assert _get(raw, "10.0.0.8").status_code == 200


def test_right_keys_are_not_counted(dispatcher):
    _api_key, raw = create_api_key(dispatcher, name="crm")
    assert all(_get(raw, "10.0.0.9").status_code == 200 for _ in range(15))
