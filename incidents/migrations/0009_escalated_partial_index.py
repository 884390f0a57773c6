"""A partial index of escalated incidents, newest first, for the list's "Escalated" filter.

Without it, at 1M incidents, the escalated filter counts by reading the whole table
(350 ms) and, with the open statuses, sorts every open row (300 ms): PostgreSQL cannot
tell that escalated rows are the open ones. Escalated rows are about 1% of the table, so
the index is small and only escalations write to it. Like the trigram indexes (0004) it
is PostgreSQL's alone and not part of the model state; built CONCURRENTLY, so writes go on
meanwhile. On SQLite (``make run``) this migration does nothing."""

from django.db import migrations

NAME = "incident_escalated"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON incidents_incident "
        "(reported_at DESC, id DESC) WHERE escalation_level > 0"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY

    dependencies = [("incidents", "0008_saved_filter")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
