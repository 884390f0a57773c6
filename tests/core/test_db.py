"""core.db: new rows of several models reserved and written in one statement (PostgreSQL)."""

import pytest
from django.db import connection

from core.db import accelerated


def test_the_accelerators_run_on_postgresql_unless_the_setting_turns_them_off(settings):
    assert connection.vendor == "postgresql"
    settings.WRITE_ACCELERATORS = True
    assert accelerated() is True
    settings.WRITE_ACCELERATORS = False
    assert accelerated() is False


def test_the_accelerators_never_run_elsewhere(settings, monkeypatch):
    settings.WRITE_ACCELERATORS = True
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert accelerated() is False


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
