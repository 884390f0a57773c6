"""Trigram GIN indexes so that searching title and customer (ILIKE '%…%') stays fast with a
million incidents. The expression is UPPER(col::text), the form Django's icontains
compiles to on PostgreSQL. PostgreSQL only: on SQLite (make run) this migration does nothing."""

from django.db import migrations

INDEXES = {
    "incident_title_trgm": "title",
    "incident_customer_trgm": "customer_name",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON incidents_incident "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_status_confirm_index")]
    operations = [migrations.RunPython(forwards, backwards)]
