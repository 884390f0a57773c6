"""core.db: new rows of several models reserved and written in one statement (PostgreSQL)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.db import insert_new, reserve_pks
from incidents.models import Category, Incident, IncidentEvent
from incidents.services.rules import compute_deadlines


def _incident(**extra) -> Incident:
    now = timezone.now()
    deadlines = compute_deadlines("III", now)
    return Incident(
        title="Pump leaks",
        category=Category.objects.order_by("pk").first(),
        grade="III",
        reported_at=now,
        confirm_deadline=deadlines.confirm,
        arrive_deadline=deadlines.arrive,
        resolve_deadline=deadlines.resolve,
        next_deadline=deadlines.confirm,
        **extra,
    )


@pytest.mark.django_db
def test_reserve_pks_takes_each_tables_next_ids_in_one_query():
    reserve_pks(_incident(), IncidentEvent(kind="note"))  # looks the sequences up once
    first, second, event = _incident(), _incident(), IncidentEvent(kind="note")
    with CaptureQueriesContext(connection) as ctx:
        assert reserve_pks(first, second, event) is True
    assert len(ctx.captured_queries) == 1
    assert sorted([first.pk, second.pk])[1] == min(first.pk, second.pk) + 1
    assert event.pk is not None
    kept = _incident()
    kept.pk = 10**9
    assert reserve_pks(kept) is True
    assert kept.pk == 10**9


@pytest.mark.django_db
def test_insert_new_writes_rows_of_several_models_in_one_statement():
    incident = _incident(customer_name="李娜")
    reserve_pks(incident)
    incident.number = f"T-{incident.pk}"
    events = [
        IncidentEvent(
            incident=incident, kind="reported", created_at=incident.reported_at, data={"a": [1]}
        ),
        IncidentEvent(incident=incident, kind="note", created_at=incident.reported_at, text="x"),
    ]
    with CaptureQueriesContext(connection) as ctx:
        insert_new([incident, *events])
    assert len(ctx.captured_queries) == 1
    # The events' ids came back from the database; the foreign key from the incident.
    assert all(e.pk and not e._state.adding for e in events)
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.number, stored.customer_name) == (f"T-{incident.pk}", "李娜")
    assert stored.reported_at == incident.reported_at
    rows = list(stored.events.order_by("pk").values_list("pk", "kind", "data", "text"))
    assert rows == [
        (events[0].pk, "reported", {"a": [1]}, ""),
        (events[1].pk, "note", {}, "x"),
    ]
    assert incident._state.db == "default"


@pytest.mark.django_db(transaction=True)
def test_insert_new_writes_all_rows_or_none_even_outside_a_transaction():
    assert connection.get_autocommit()
    first, clash = _incident(), _incident()
    reserve_pks(first)
    first.number = clash.number = "T-SAME"  # the second row breaks the unique number
    clash.pk = first.pk + 10**6
    event = IncidentEvent(incident=first, kind="note", created_at=timezone.now())
    with pytest.raises(IntegrityError):
        insert_new([first, event, clash])
    assert not Incident.objects.filter(pk__in=[first.pk, clash.pk]).exists()
    assert not IncidentEvent.objects.filter(incident_id=first.pk).exists()


@pytest.mark.django_db
def test_insert_new_sends_save_signals_like_save():
    seen = []

    def before(sender, instance, **kw):
        seen.append(("pre", sender.__name__, instance._state.adding))

    def after(sender, instance, created, **kw):
        seen.append(("post", sender.__name__, created, instance.pk is not None))

    pre_save.connect(before, sender=Incident)
    post_save.connect(after, sender=Incident)
    try:
        incident = _incident()
        reserve_pks(incident)
        incident.number = f"T-{incident.pk}"
        insert_new([incident])
    finally:
        pre_save.disconnect(before, sender=Incident)
        post_save.disconnect(after, sender=Incident)
    assert seen == [("pre", "Incident", True), ("post", "Incident", True, True)]


@pytest.mark.django_db
def test_insert_new_refuses_saved_rows_expressions_and_unsaved_parents():
    from django.db.models import Value

    saved = _incident()
    reserve_pks(saved)
    saved.number = f"T-{saved.pk}"
    insert_new([saved])
    with pytest.raises(ValueError, match="already saved"):
        insert_new([saved])
    expression = _incident(customer_name=Value("x"))
    reserve_pks(expression)
    with pytest.raises(TypeError, match="expressions"):
        insert_new([expression])
    orphan = IncidentEvent(incident=_incident(), kind="note", created_at=timezone.now())
    with pytest.raises(ValueError, match="unsaved related object"), transaction.atomic():
        insert_new([orphan])


@pytest.mark.django_db
def test_report_writes_incident_event_directive_and_clock_in_one_statement(org, dispatcher):
    from incidents import services

    category = Category.objects.get(slug="product-quality")
    services.report_incident(actor=dispatcher, title="warm", category=category, grade="III")
    with CaptureQueriesContext(connection) as ctx:
        incident = services.report_incident(
            actor=dispatcher, title="Bus will not start", category=category, grade="III"
        )
    # (inside the test's transaction, atomic() makes a savepoint)
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, statements
    assert "nextval" in statements[0]
    assert statements[1].startswith("WITH ")
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.number == services.make_number(stored)
    assert [e.kind for e in stored.events.order_by("pk")] == ["reported", "directive"]
    directive = stored.directives.get()
    assert stored.number in directive.instruction
    assert stored.events.get(kind="directive").data["directive"] == directive.pk
    clock = stored.escalation_states.get()
    assert (clock.target, clock.deadline) == ("confirm", stored.confirm_deadline)
    assert clock.next_due_at - stored.confirm_deadline < timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_drop_indexes_drops_concurrently_and_reverse_recreates():
    from core.migration_ops import drop_indexes

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'scratch_rows'")
            return {name for (name,) in cursor.fetchall()}

    operation = drop_indexes(("scratch_rows_ref", "scratch_rows", "ref"))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scratch_rows (id int PRIMARY KEY, ref int)")
        cursor.execute("CREATE INDEX scratch_rows_ref ON scratch_rows (ref)")
    try:
        with connection.schema_editor(atomic=False) as editor:
            operation.code(None, editor)  # CONCURRENTLY fails inside a transaction
        assert indexes() == {"scratch_rows_pkey"}
        with connection.schema_editor(atomic=False) as editor:
            operation.code(None, editor)  # again: IF EXISTS
            operation.reverse_code(None, editor)
        assert indexes() == {"scratch_rows_pkey", "scratch_rows_ref"}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE scratch_rows")


def _pg_indexes(*tables: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [list(tables)])
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_ledger_and_timeline_index_migrations_go_back_and_forth():
    """incidents 0007 and spareparts 0003 (AddIndexConcurrently, drop_indexes) on
    PostgreSQL: back restores the single-column indexes, forward the partial ones."""
    from django.db.migrations.executor import MigrationExecutor

    tables = ("spareparts_stockmove", "spareparts_stockbalance", "incidents_incidentevent")
    new = {"event_actor", "move_transfer", "move_receipt_line", "move_stocktake"}
    old = {
        "incidents_incidentevent_actor_id_098f99cf",
        "spareparts_stockmove_part_id_3eb270ee",
        "spareparts_stockmove_incident_id_2f638a24",
        "spareparts_stockbalance_part_id_1b6678c4",
    }
    assert new <= _pg_indexes(*tables) and not old & _pg_indexes(*tables)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(
        [
            ("incidents", "0006_drop_redundant_fk_indexes"),
            ("spareparts", "0002_stockmove_append_only"),
        ]
    )
    assert old <= _pg_indexes(*tables) and not new & _pg_indexes(*tables)
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    assert new <= _pg_indexes(*tables) and not old & _pg_indexes(*tables)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'event_actor'")
        assert "WHERE (actor_id IS NOT NULL)" in cursor.fetchone()[0]
