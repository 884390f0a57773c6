"""On PostgreSQL the database itself refuses UPDATE and DELETE of ledger rows."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION spareparts_stockmove_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'spareparts_stockmove is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS spareparts_stockmove_append_only ON spareparts_stockmove;
CREATE TRIGGER spareparts_stockmove_append_only
    BEFORE UPDATE OR DELETE ON spareparts_stockmove
    FOR EACH ROW EXECUTE FUNCTION spareparts_stockmove_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS spareparts_stockmove_append_only ON spareparts_stockmove;
DROP FUNCTION IF EXISTS spareparts_stockmove_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("spareparts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
