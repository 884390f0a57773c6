"""The signer's name (the customer's) encrypted at rest like the incident's customer
(core/crypto.py). Existing names are encrypted with the current first key through plain
SQL; reversing decrypts them."""

from django.db import migrations

import core.crypto
from core.crypto import keyring


def _rewrite(schema_editor, condition, change):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, signer_name FROM assessments_signoff WHERE {condition}",  # noqa: S608
            [],
        )
        rows = [(change(name), pk) for pk, name in cursor.fetchall()]
        cursor.executemany("UPDATE assessments_signoff SET signer_name = %s WHERE id = %s", rows)


def encrypt_names(apps, schema_editor):
    _rewrite(
        schema_editor, "signer_name <> '' AND signer_name NOT LIKE 'enc1:%%'", keyring().encrypt
    )


def decrypt_names(apps, schema_editor):
    _rewrite(schema_editor, "signer_name LIKE 'enc1:%%'", keyring().decrypt)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_verbose_names_for_admin")]

    operations = [
        migrations.AlterField(
            model_name="signoff",
            name="signer_name",
            field=core.crypto.EncryptedCharField(
                blank=True, max_length=120, verbose_name="signer's name"
            ),
        ),
        migrations.RunPython(encrypt_names, decrypt_names),
    ]
