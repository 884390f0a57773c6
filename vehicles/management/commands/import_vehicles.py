"""manage.py import_vehicles path.csv: import vehicles, listing the rejected rows."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vehicles.services import IMPORT_COLUMNS, import_vehicles


class Command(BaseCommand):
    help = (
        "Import vehicles from a UTF-8 CSV file with the columns "
        f"{', '.join(IMPORT_COLUMNS)} (vin and model required). Valid rows are imported; "
        "each rejected row is listed with its reasons. Exit status 1 when a row was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        try:
            text = Path(options["path"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {options['path']}: {exc}") from exc
        report = import_vehicles(text)
        self.stdout.write(
            f"{report.created} vehicles created, {report.updated} updated, "
            f"{len(report.rejected)} rows rejected."
        )
        for line, vin, reasons in report.rejected:
            self.stdout.write(f"  line {line} {vin or '-'}: {' '.join(reasons)}")
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} rows rejected (listed above).")
