import pytest

from tests.escalation.conftest import on_duty, reported, t0  # noqa: F401 - shared fixtures
from tests.notifications.receiver import Receiver


@pytest.fixture(autouse=True)
def _receiver_allowed(settings):
    """The fake receivers listen on 127.0.0.1, which webhooks may not reach unless allowed
    (notifications/targets.py); test_webhook_ssrf.py takes the allowance back."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


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
