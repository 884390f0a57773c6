"""Webhook signing secrets encrypted at rest (core/crypto.py; issue 13, finding 9).

Existing secrets are encrypted with the current first key of FIELD_ENCRYPTION_KEYS through
plain SQL (the historical model's field would decrypt on read); reversing decrypts them.
"""

from django.db import migrations

import core.crypto
from core.crypto import keyring


def _rewrite(schema_editor, condition, change):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, secret FROM notifications_webhookendpoint WHERE {condition}",  # noqa: S608
            [],
        )
        rows = [(change(secret), pk) for pk, secret in cursor.fetchall()]
        cursor.executemany(
            "UPDATE notifications_webhookendpoint SET secret = %s WHERE id = %s", rows
        )


def encrypt_secrets(apps, schema_editor):
    _rewrite(schema_editor, "secret <> '' AND secret NOT LIKE 'enc1:%%'", keyring().encrypt)


def decrypt_secrets(apps, schema_editor):
    _rewrite(schema_editor, "secret LIKE 'enc1:%%'", keyring().decrypt)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_verbose_names_for_admin")]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=core.crypto.EncryptedCharField(
                blank=True,
                help_text="HMAC key (generic) or the robot's signing secret (DingTalk, Feishu).",
                max_length=200,
                verbose_name="signing secret",
            ),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
