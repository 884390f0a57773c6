"""Index events by actor only where there is one: the system makes the escalations and
notifications, and their rows no longer go into the index. The new index is built before
the old one is dropped, both without blocking writes on PostgreSQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import AddIndexConcurrently, drop_indexes


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY

    dependencies = [
        ("incidents", "0006_drop_redundant_fk_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="incidentevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)), fields=["actor"], name="event_actor"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="incidentevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
            ],
            database_operations=[
                drop_indexes(
                    (
                        "incidents_incidentevent_actor_id_098f99cf",
                        "incidents_incidentevent",
                        "actor_id",
                    ),
                ),
            ],
        ),
    ]
