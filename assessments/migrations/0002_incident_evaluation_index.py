"""A covering index for the periodic evaluation, on the incidents table.

The evaluation reads a quarter of incidents by ``reported_at`` and only the columns below;
with this index PostgreSQL answers it with an index-only scan instead of fetching ~40,000
scattered heap pages per quarter (see bench/assessments.py). PostgreSQL only (INCLUDE);
other databases get nothing. Not in any model's Meta: it belongs to the evaluation, and
Django's migration state does not need to know it.
"""

from django.db import migrations

NAME = "incident_evaluation_cover"
COLUMNS = (
    "id",
    "grade",
    "status",
    "category_id",
    "team_id",
    "assignee_id",
    "escalation_level",
    "confirmed_at",
    "arrived_at",
    "resolved_at",
    "confirm_deadline",
    "arrive_deadline",
    "resolve_deadline",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON incidents_incident (reported_at) "
        f"INCLUDE ({', '.join(COLUMNS)})"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("incidents", "0002_seed_reference_data"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
