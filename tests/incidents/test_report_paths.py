"""The report's two write paths (incidents/services/lifecycle.py ``_insert_report`` and its
PostgreSQL accelerator incidents/accel_pg.py) write the same rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services
from incidents.models import Category, Incident


def _report(dispatcher, grade="III"):
    category = Category.objects.get(slug="product-quality")
    return services.report_incident(
        actor=dispatcher, title="Bus will not start", category=category, grade=grade
    )


@pytest.mark.django_db
@pytest.mark.parametrize("grade", ["I", "III"])
def test_a_report_writes_its_number_directives_events_and_clock(org, dispatcher, write_path, grade):
    incident = _report(dispatcher, grade)
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.number == incident.number == services.make_number(stored)
    directives = list(stored.directives.order_by("pk"))
    assert directives
    assert all(stored.number in d.instruction for d in directives)
    events = list(stored.events.order_by("pk"))
    assert events[0].kind == "reported"
    assert events[0].data["grade"] == grade
    issued = [e for e in events if e.kind == "directive"]
    assert [e.data["directive"] for e in issued] == [d.pk for d in directives]
    clock = stored.escalation_states.get(target="confirm")
    assert clock.deadline == stored.confirm_deadline
    assert clock.next_due_at - stored.confirm_deadline < timedelta(days=1)
    hq_told = stored.escalation_states.filter(target="report").exists()
    assert hq_told is (grade == "I")


@pytest.mark.django_db
def test_the_accelerated_report_writes_the_incident_once(org, dispatcher, settings):
    settings.WRITE_ACCELERATORS = True
    _report(dispatcher)  # warm the caches
    with CaptureQueriesContext(connection) as ctx:
        _report(dispatcher)
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum('INSERT INTO "incidents_incident"' in s for s in sql) == 1
    assert not any(s.startswith('UPDATE "incidents_incident"') for s in sql)


@pytest.mark.django_db
def test_the_portable_report_inserts_then_numbers_the_incident(org, dispatcher, settings):
    settings.WRITE_ACCELERATORS = False
    _report(dispatcher)
    with CaptureQueriesContext(connection) as ctx:
        incident = _report(dispatcher)
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not any("nextval" in s for s in sql)
    assert Incident.objects.filter(pk=incident.pk, number=incident.number).exists()
