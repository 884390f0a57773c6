import pytest

from tests.escalation.conftest import on_duty, reported, t0  # noqa: F401 - shared fixtures
from tests.notifications.receiver import Receiver


@pytest.fixture
def receiver():
    made = []

    def make(statuses=None, body=None):
        r = Receiver(statuses, body)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()
