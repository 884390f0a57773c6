"""The customer's name and phone encrypted at rest, with blind indexes for exact search
(core/crypto.py).

Existing rows are encrypted with the current first key of FIELD_ENCRYPTION_KEYS and indexed
with BLIND_INDEX_KEY, in batches, through plain SQL (the historical model's fields would
decrypt on read). Reversing decrypts them back into plain columns. The two indexes that
read the plain text go: the caller lookup's expression index of 0010 (its successor is
incident_phone_bidx) and the customer trigram index of 0004 (a substring search of
ciphertext finds nothing); reversing builds them again.
"""

from django.db import migrations, models

import core.crypto
from core.crypto import blind_index, keyring

BATCH = 2000
OLD_INDEXES = {
    "incident_phone_key": (
        "CREATE INDEX IF NOT EXISTS incident_phone_key ON incidents_incident "
        "((RIGHT(TRANSLATE(customer_phone, '+-() ', ''), 11)), reported_at DESC)"
    ),
    "incident_customer_trgm": (
        "CREATE INDEX IF NOT EXISTS incident_customer_trgm ON incidents_incident "
        "USING gin ((UPPER(customer_name::text)) gin_trgm_ops)"
    ),
}


def drop_plain_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in OLD_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_plain_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in OLD_INDEXES.values():
            schema_editor.execute(sql)


def _batches(cursor, condition):
    last = 0
    while True:
        cursor.execute(
            "SELECT id, customer_name, customer_phone FROM incidents_incident "  # noqa: S608
            f"WHERE id > %s AND ({condition}) ORDER BY id LIMIT {BATCH}",
            [last],
        )
        rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def encrypt_rows(apps, schema_editor):
    keys = keyring()
    condition = (
        "(customer_name <> '' AND customer_name NOT LIKE 'enc1:%%') "
        "OR (customer_phone <> '' AND customer_phone NOT LIKE 'enc1:%%')"
    )
    with schema_editor.connection.cursor() as cursor:
        for rows in _batches(cursor, condition):
            cursor.executemany(
                "UPDATE incidents_incident SET customer_name = %s, customer_phone = %s, "
                "customer_name_bidx = %s, customer_phone_bidx = %s WHERE id = %s",
                [
                    (
                        keys.encrypt(name or ""),
                        keys.encrypt(phone or ""),
                        blind_index("name", name or ""),
                        blind_index("phone", phone or ""),
                        pk,
                    )
                    for pk, name, phone in rows
                ],
            )


def decrypt_rows(apps, schema_editor):
    keys = keyring()
    condition = "customer_name LIKE 'enc1:%%' OR customer_phone LIKE 'enc1:%%'"
    with schema_editor.connection.cursor() as cursor:
        for rows in _batches(cursor, condition):
            cursor.executemany(
                "UPDATE incidents_incident SET customer_name = %s, customer_phone = %s "
                "WHERE id = %s",
                [
                    (keys.decrypt(name or ""), keys.decrypt(phone or ""), pk)
                    for pk, name, phone in rows
                ],
            )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0013_list_sort_indexes")]

    operations = [
        migrations.RunPython(drop_plain_indexes, create_plain_indexes),
        migrations.AddField(
            model_name="incident",
            name="customer_name_bidx",
            field=core.crypto.BlindIndexField(kind="name", source="customer_name"),
        ),
        migrations.AddField(
            model_name="incident",
            name="customer_phone_bidx",
            field=core.crypto.BlindIndexField(kind="phone", source="customer_phone"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="customer_name",
            field=core.crypto.EncryptedCharField(
                blank=True, max_length=120, verbose_name="customer"
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="customer_phone",
            field=core.crypto.EncryptedCharField(
                blank=True, max_length=40, verbose_name="customer phone"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=~models.Q(customer_phone_bidx=""),
                fields=["customer_phone_bidx", "-reported_at"],
                name="incident_phone_bidx",
            ),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=~models.Q(customer_name_bidx=""),
                fields=["customer_name_bidx", "-reported_at"],
                name="incident_name_bidx",
            ),
        ),
    ]
