from datetime import UTC, datetime, timedelta

import pytest

from teams.models import DutyShift
from tests import factories

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def t0():
    return T0


@pytest.fixture
def on_duty(org, dispatcher):
    """The dispatcher is on the hotline shift for the whole day of T0."""
    DutyShift.objects.create(
        user=dispatcher,
        kind=DutyShift.Kind.DISPATCH,
        starts_at=T0 - timedelta(hours=1),
        ends_at=T0 + timedelta(days=2),
    )
    return dispatcher


@pytest.fixture
def reported(org, on_duty):
    """report(grade=...) at T0 (clock frozen there)."""
    import time_machine

    def _report(grade="III", **kw):
        with time_machine.travel(T0, tick=False):
            return factories.report(grade=grade, now=T0, reported_at=T0, **kw)

    return _report
