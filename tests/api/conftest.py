"""API fixtures: keys per role and DRF clients authenticated with them."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import create_api_key
from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # throttle counters and key-use stamps live in the cache
    yield
    cache.clear()


@pytest.fixture
def key_client():
    """key_client(user, **key_options) → an APIClient sending ``Token <new key>``."""

    def make(user, *, scheme: str = "Token", **options) -> APIClient:
        _api_key, raw = create_api_key(user, name="test", **options)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {raw}")
        client.raw_key = raw
        return client

    return make


@pytest.fixture
def desk(org, dispatcher, key_client):
    return key_client(dispatcher)


@pytest.fixture
def boss(org, manager, key_client):
    return key_client(manager)


@pytest.fixture
def tech(technician, key_client):
    return key_client(technician)


@pytest.fixture
def incident(org):
    return factories.report(grade="III")


NEW_INCIDENT = {
    "title": "Bus will not start",
    "category": "product-quality",
    "grade": "II",
    "customer_name": "Li Na",
    "customer_phone": "+86 139 0000 0001",
    "asset_ref": "LSVAU2180N2000777",
    "location": "G4 km 1203",
    "latitude": 31.2304,
    "longitude": 121.4737,
    "external_ref": "CRM-42",
}
