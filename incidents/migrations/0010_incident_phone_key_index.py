"""An index of the caller's phone number as the intake compares it, newest first.

The intake shows a caller's earlier and open incidents as soon as the phone is typed
(incidents.services.lookup.caller_history). Numbers are stored as typed ("+86 138 0000
0000", "138-0000-0000"), so the lookup compares their last 11 digits (a Chinese mobile
number, with or without the country code): ``RIGHT(TRANSLATE(customer_phone, '+-() ', ''),
11)``, the expression of ``lookup.PhoneKey``; the two must stay identical for PostgreSQL to
use the index. With ``reported_at DESC`` behind it the newest few come from the index
without a sort, at a million incidents as at ten. Like 0004 and 0009 it is PostgreSQL's
alone, not part of the model state, built CONCURRENTLY; on SQLite it does nothing."""

from django.db import migrations

NAME = "incident_phone_key"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON incidents_incident "
        "((RIGHT(TRANSLATE(customer_phone, '+-() ', ''), 11)), reported_at DESC)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("incidents", "0009_escalated_partial_index")]
    operations = [migrations.RunPython(forwards, backwards)]
