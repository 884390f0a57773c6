import csv
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.exports import safe_row
from privacy import services


def _day(text: str):
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 (a calendar day)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = (
        "Who accessed which customers' records between two dates (the access log and the "
        "reveal log), as CSV on stdout or --output: for a PIPL Art. 57 breach notice."
    )

    def add_arguments(self, parser):
        parser.add_argument("start", help="first day, YYYY-MM-DD")
        parser.add_argument("end", help="last day (included), YYYY-MM-DD")
        parser.add_argument("--output", default="", help="a file (default: stdout)")

    def handle(self, *args, **opts):
        tz = timezone.get_current_timezone()
        start = datetime.combine(_day(opts["start"]), time.min, tzinfo=tz)
        end = datetime.combine(_day(opts["end"]) + timedelta(days=1), time.min, tzinfo=tz)
        if end <= start:
            raise CommandError("the end is before the start")
        out = open(opts["output"], "w", newline="", encoding="utf-8") if opts["output"] else None  # noqa: SIM115
        try:
            writer = csv.writer(out or self.stdout, lineterminator="\n")
            writer.writerow(["time", "user", "access", "incidents", "records", "reason"])
            for row in services.access_report(start, end):
                writer.writerow(
                    safe_row(
                        [
                            row.at.isoformat(),
                            row.username,
                            row.kind,
                            " ".join(str(i) for i in row.incident_ids),
                            row.rows,
                            row.reason,
                        ]
                    )
                )
        finally:
            if out:
                out.close()
