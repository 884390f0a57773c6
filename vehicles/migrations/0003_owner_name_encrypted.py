"""The vehicle owner's name (a customer's) encrypted at rest like the incident's customer
(core/crypto.py). Existing names are encrypted with the current first key through plain
SQL; reversing decrypts them."""

from django.db import migrations

import core.crypto
from core.crypto import keyring


def _rewrite(schema_editor, condition, change):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, owner_name FROM vehicles_vehicle WHERE {condition}",  # noqa: S608
            [],
        )
        rows = [(change(name), pk) for pk, name in cursor.fetchall()]
        cursor.executemany("UPDATE vehicles_vehicle SET owner_name = %s WHERE id = %s", rows)


def encrypt_names(apps, schema_editor):
    _rewrite(schema_editor, "owner_name <> '' AND owner_name NOT LIKE 'enc1:%%'", keyring().encrypt)


def decrypt_names(apps, schema_editor):
    _rewrite(schema_editor, "owner_name LIKE 'enc1:%%'", keyring().decrypt)


class Migration(migrations.Migration):
    dependencies = [("vehicles", "0002_default_rule")]

    operations = [
        migrations.AlterField(
            model_name="vehicle",
            name="owner_name",
            field=core.crypto.EncryptedCharField(blank=True, max_length=120, verbose_name="owner"),
        ),
        migrations.RunPython(encrypt_names, decrypt_names),
    ]
