"""Migration helpers shared by the apps."""

from django.db import migrations


def drop_indexes(*indexes: tuple[str, str, str]) -> migrations.RunPython:
    """Drop single-column indexes another index already leads with: (name, table, column).

    For ``SeparateDatabaseAndState`` beside ``AlterField(db_index=False)``: Django's own
    AlterField would also drop and re-create the foreign key, which re-checks every row
    under an exclusive lock. On PostgreSQL the drop is CONCURRENTLY (the migration must
    set ``atomic = False``); the reverse re-creates the indexes the same way.
    """

    def forward(apps, schema_editor):
        concurrently = _concurrently(schema_editor)
        qn = schema_editor.quote_name
        for name, _table, _column in indexes:
            schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {qn(name)}")

    def backward(apps, schema_editor):
        concurrently = _concurrently(schema_editor)
        qn = schema_editor.quote_name
        for name, table, column in indexes:
            schema_editor.execute(
                f"CREATE INDEX{concurrently} IF NOT EXISTS {qn(name)} ON {qn(table)} ({qn(column)})"
            )

    return migrations.RunPython(forward, backward, elidable=False)


def _concurrently(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


class AddIndexConcurrently(migrations.AddIndex):
    """AddIndex that builds the index CONCURRENTLY on PostgreSQL (writes to the table go on
    meanwhile; the migration must set ``atomic = False``) and plainly elsewhere, unlike
    django.contrib.postgres's, which refuses other databases (``make run`` uses SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
            return
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
