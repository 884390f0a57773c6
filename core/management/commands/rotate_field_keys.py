"""Re-encrypt every encrypted value with the current key and recompute the blind indexes.

    FIELD_ENCRYPTION_KEYS=<new>,<old> manage.py rotate_field_keys
    manage.py rotate_field_keys --generate-key      # print a new key and stop

Walks every model with an encrypted field (core/crypto.py), in primary-key order and in
batches, each its own transaction, reading and writing the stored ciphertext past the
fields' encryption (a cast to plain text). A value already under the first key is left alone and a
blind index already right is not rewritten, so the command is idempotent and an interrupted
run is resumed by running it again (or from ``--after``). Each row is written back only if
it still holds what was read (a conditional UPDATE): a save that raced the batch wins and is
already under the current key. After a clean run the old key can be removed; after a new
BLIND_INDEX_KEY the run recomputes every index (search finds nothing until it has).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast
from django.db.models.lookups import Exact

from core.crypto import (
    FieldDecryptionError,
    Keyring,
    blind_index_fields,
    encrypted_fields,
    generate_key,
    keyring,
)


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the first FIELD_ENCRYPTION_KEYS key; reindex."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--after", type=int, default=0, help="resume after this primary key (each model)"
        )
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")
        parser.add_argument("--generate-key", action="store_true", help="print a new key")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(generate_key())
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        keys = keyring()
        for model in apps.get_models():
            if encrypted_fields(model):
                read, written = self.rotate(model, keys, **options)
                self.stdout.write(
                    f"{model._meta.label}: {read} rows read, {written} "
                    f"{'to rewrite' if options['dry_run'] else 'rewritten'} "
                    f"(key {keys.current})"
                )

    def rotate(self, model: type[models.Model], keys: Keyring, **options: Any) -> tuple[int, int]:
        read = written = 0
        last = options["after"]
        while True:
            with transaction.atomic():
                rows = self.batch(model, last, options["batch_size"])
                if not rows:
                    return read, written
                changes = [c for row in rows if (c := self.change(model, keys, row))]
                if changes and not options["dry_run"]:
                    written += self.write(model, changes)
                elif options["dry_run"]:
                    written += len(changes)
            read += len(rows)
            last = rows[-1]["pk"]

    def columns(self, model: type[models.Model]) -> list[models.Field]:
        return [*encrypted_fields(model), *blind_index_fields(model)]

    def batch(self, model: type[models.Model], after: int, size: int) -> list[dict]:
        """The stored values (ciphertext, not decrypted: read as plain text)."""
        fields = self.columns(model)
        stored = {f"stored_{f.name}": _stored(f) for f in fields}
        rows = (
            model._base_manager.filter(pk__gt=after)
            .order_by("pk")
            .annotate(**stored)
            .values("pk", *stored)[:size]
        )
        return [{"pk": r["pk"], **{f: r[f"stored_{f.name}"] for f in fields}} for r in rows]

    def change(self, model: type[models.Model], keys: Keyring, row: dict) -> dict | None:
        """{field: new stored value} for what this row needs rewritten, with the row's
        current values for the conditional update; None if it is up to date."""
        plain: dict[str, str] = {}
        new: dict[models.Field, str] = {}
        for field in encrypted_fields(model):
            stored = row[field] or ""
            try:
                plain[field.name] = keys.decrypt(stored)
            except FieldDecryptionError as exc:
                raise CommandError(f"{model._meta.label} {row['pk']}, {field.name}: {exc}") from exc
            if keys.needs_rotation(stored):
                new[field] = keys.encrypt(plain[field.name])
        for index in blind_index_fields(model):
            value = index.index_of(plain.get(index.source, ""))
            if value != (row[index] or ""):
                new[index] = value
        return {"pk": row["pk"], "new": new, "old": row} if new else None

    def write(self, model: type[models.Model], changes: list[dict]) -> int:
        """Each row rewritten only if it still holds what was read (a conditional UPDATE);
        the new values are stored as given (Value of a plain text field: not encrypted
        again). The base manager: no blind-index bookkeeping, the indexes are written here."""
        written = 0
        for change in changes:
            rows = model._base_manager.filter(pk=change["pk"])
            for field in change["new"]:
                rows = rows.filter(Exact(_stored(field), change["old"][field] or ""))
            written += rows.update(
                **{f.name: Value(v, output_field=TextField()) for f, v in change["new"].items()}
            )
        return written


def _stored(field: models.Field) -> Cast:
    """The column as stored: cast to plain text, so the field's decryption is not applied."""
    return Cast(field.name, output_field=TextField())
