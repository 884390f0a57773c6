"""Shared fixtures: users per role, an organisation, clients. Tests run on PostgreSQL."""

import pytest
from django.conf import settings
from django.test import Client

from tests import factories


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            "The test suite runs on PostgreSQL: set DATABASE_URL (make test does this), "
            f"got {engine}."
        )


def pytest_collection_modifyitems(items):
    """Transactional tests flush the database when they end, which would take the seeded
    reference data (roles, categories, policies, escalation chains) with it. Restore it
    from the serialized test database instead (Django's serialized rollback)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        if marker.kwargs.get("serialized_rollback"):
            continue
        kwargs = {**marker.kwargs, "serialized_rollback": True}
        item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test starts with empty per-process caches: a value cached in a test whose
    transaction was rolled back must not reach the next one."""
    from accounts import services as accounts_services
    from core import refcache

    refcache.clear()
    accounts_services._touched.clear()
    yield
    refcache.clear()


@pytest.fixture(autouse=True)
def _reference_data_recheck(settings):
    """In this process every reference-data change clears the cache at once; the periodic
    recheck (REFDATA_RECHECK_SECONDS, 1 s) is for other processes. Here it would add a query
    to a pinned count whenever a slow machine takes over a second between two requests.
    The refcache tests set their own interval."""
    settings.REFDATA_RECHECK_SECONDS = 3600


@pytest.fixture
def org(db):
    """HQ, the four response groups and a service centre, with leaders and deputies."""
    return factories.make_org()


@pytest.fixture
def dispatcher(db):
    return factories.UserFactory(username="disp", roles=["dispatcher"])


@pytest.fixture
def manager(db):
    return factories.UserFactory(username="boss", roles=["manager"])


@pytest.fixture
def technician(db, org):
    user = factories.UserFactory(username="tech", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=user)
    return user


@pytest.fixture
def other_technician(db, org):
    user = factories.UserFactory(username="tech2", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre_2"], user=user)
    return user


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dispatcher_client(dispatcher):
    return _login(dispatcher)


@pytest.fixture
def manager_client(manager):
    return _login(manager)


@pytest.fixture
def technician_client(technician):
    return _login(technician)


@pytest.fixture
def login():
    return _login


@pytest.fixture(params=["portable", "accelerated"])
def write_path(request, settings):
    """Run the test on the portable ORM path and on the PostgreSQL accelerators
    (core.db.accelerated()): the twins must agree."""
    settings.WRITE_ACCELERATORS = request.param == "accelerated"
    return request.param
