"""Drop the single-column indexes of foreign keys that a composite index leads with:
events by incident (event_timeline), directives by incident (directive_one_per_team) and by
team (directive_team_list). Fewer indexes to update on every report."""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import drop_indexes


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY

    dependencies = [
        ("incidents", "0005_verbose_names"),
        ("teams", "0002_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="directive",
                    name="incident",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="directives",
                        to="incidents.incident",
                    ),
                ),
                migrations.AlterField(
                    model_name="directive",
                    name="team",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="directives",
                        to="teams.team",
                        verbose_name="group",
                    ),
                ),
                migrations.AlterField(
                    model_name="incidentevent",
                    name="incident",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="incidents.incident",
                    ),
                ),
            ],
            database_operations=[
                drop_indexes(
                    (
                        "incidents_directive_incident_id_722b2066",
                        "incidents_directive",
                        "incident_id",
                    ),
                    ("incidents_directive_team_id_ce3225ae", "incidents_directive", "team_id"),
                    (
                        "incidents_incidentevent_incident_id_98972806",
                        "incidents_incidentevent",
                        "incident_id",
                    ),
                ),
            ],
        ),
    ]
