"""Drop the single-column index of EscalationState.incident: the unique
escalation_state_once (incident, target) leads with it."""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import drop_indexes


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY

    dependencies = [
        ("escalation", "0003_open_incidents_covering_index"),
        ("incidents", "0005_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="escalationstate",
                    name="incident",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalation_states",
                        to="incidents.incident",
                    ),
                ),
            ],
            database_operations=[
                drop_indexes(
                    (
                        "escalation_escalationstate_incident_id_6b16778d",
                        "escalation_escalationstate",
                        "incident_id",
                    ),
                ),
            ],
        ),
    ]
