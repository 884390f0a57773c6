"""Fewer indexes on the stock ledger and the balances.

- Moves: drop the single-column indexes of part (move_part_ledger leads with it) and of
  incident (move_incident does); index transfer, receipt line and stocktake only where set,
  since most moves (every reservation) have none of them.
- Balances: drop the single-column indexes of part (balance_one_per_part_depot leads with
  it) and of depot (balance_depot_part does).

New indexes are built before the old ones are dropped, both without blocking writes on
PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import AddIndexConcurrently, drop_indexes

LINKS = {
    "transfer": ("spareparts.transfer", "spareparts_stockmove_transfer_id_3e5cfa93"),
    "receipt_line": ("spareparts.receiptline", "spareparts_stockmove_receipt_line_id_6b501210"),
    "stocktake": ("spareparts.stocktake", "spareparts_stockmove_stocktake_id_2aead4f6"),
}


def _fk(to, **kwargs):
    return models.ForeignKey(db_index=False, to=to, **kwargs)


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY

    dependencies = [
        ("spareparts", "0002_stockmove_append_only"),
    ]

    operations = [
        *(
            AddIndexConcurrently(
                model_name="stockmove",
                index=models.Index(
                    condition=models.Q((f"{link}__isnull", False)),
                    fields=[link],
                    name=f"move_{link}",
                ),
            )
            for link in LINKS
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="stockbalance",
                    name="depot",
                    field=_fk(
                        "spareparts.depot",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="balances",
                        verbose_name="depot",
                    ),
                ),
                migrations.AlterField(
                    model_name="stockbalance",
                    name="part",
                    field=_fk(
                        "spareparts.part",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="balances",
                        verbose_name="part",
                    ),
                ),
                migrations.AlterField(
                    model_name="stockmove",
                    name="incident",
                    field=_fk(
                        "incidents.incident",
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stock_moves",
                        verbose_name="incident",
                    ),
                ),
                migrations.AlterField(
                    model_name="stockmove",
                    name="part",
                    field=_fk(
                        "spareparts.part",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="moves",
                        verbose_name="part",
                    ),
                ),
                *(
                    migrations.AlterField(
                        model_name="stockmove",
                        name=link,
                        field=_fk(
                            to,
                            blank=True,
                            null=True,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="moves",
                        ),
                    )
                    for link, (to, _index) in LINKS.items()
                ),
            ],
            database_operations=[
                drop_indexes(
                    (
                        "spareparts_stockbalance_depot_id_0ecc4e15",
                        "spareparts_stockbalance",
                        "depot_id",
                    ),
                    (
                        "spareparts_stockbalance_part_id_1b6678c4",
                        "spareparts_stockbalance",
                        "part_id",
                    ),
                    (
                        "spareparts_stockmove_incident_id_2f638a24",
                        "spareparts_stockmove",
                        "incident_id",
                    ),
                    ("spareparts_stockmove_part_id_3eb270ee", "spareparts_stockmove", "part_id"),
                    *(
                        (index, "spareparts_stockmove", f"{link}_id")
                        for link, (_to, index) in LINKS.items()
                    ),
                ),
            ],
        ),
    ]
