import pytest

from tests import factories
from tests.vehicles.helpers import make_model, make_vehicle, with_check_digit


def vin(n: int) -> str:
    return with_check_digit(f"LHYEV7C40RG{n:06d}")


@pytest.fixture
def ev_model(db):
    return make_model()


@pytest.fixture
def vehicle(ev_model):
    return make_vehicle(vin(1), model=ev_model)


@pytest.fixture
def platform(db):
    """The monitoring platform's user (integration role: may report, API only)."""
    return factories.UserFactory(username="platform", roles=["integration"])


@pytest.fixture
def legal(db):
    return factories.UserFactory(username="counsel", roles=["legal"])


@pytest.fixture
def key_client():
    """key_client(user) → an APIClient sending ``Token <new key>``."""
    from rest_framework.test import APIClient

    from accounts.services import create_api_key

    def make(user) -> APIClient:
        _api_key, raw = create_api_key(user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make
