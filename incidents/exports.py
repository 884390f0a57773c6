"""The incident list as a file: CSV streamed row by row, XLSX written in write-only mode.

Both read the rows with one server-side cursor (``iterator``) of plain values, so memory
stays flat however many incidents the filters select. Headers, statuses, grades and
reference names are in the reader's language, resolved before the response streams
(the language may no longer be active while the body is sent).
"""

import csv
import tempfile
from collections.abc import Iterator
from importlib import import_module

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.exports import safe_cell
from incidents.models import Grade, Status

CHUNK = 2000
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row

VALUES = (
    "number",
    "title",
    "category__name",
    "category__name_zh",
    "grade",
    "status",
    "customer_name",
    "asset_ref",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "team__name",
    "team__name_zh",
    "reported_at",
    "confirmed_at",
    "next_deadline",
    "escalation_level",
    "id",
)


def headers() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Category"),
        _("Grade"),
        _("Status"),
        _("Customer"),
        _("VIN / serial number"),
        _("Assignee"),
        _("Team"),
        _("Reported at"),
        _("Confirmed at"),
        _("Next deadline"),
        _("Escalation level"),
    ]


class _Labels:
    """The words of one export in the language active when it was asked for, and the
    customer as ``user`` may see them (settings.CUSTOMER_DATA_POLICY)."""

    def __init__(self, user):
        self.zh = (get_language() or "").startswith("zh")
        policy = import_module(settings.CUSTOMER_DATA_POLICY)
        self.customer, self._done = policy.export_customer(user)
        self.ids: list[int] = []
        self.status = {value: str(label) for value, label in Status.choices}
        self.grade = {value: str(label) for value, label in Grade.choices}

    def name(self, name: str | None, name_zh: str | None) -> str:
        if not name:
            return ""
        return name_zh if self.zh and name_zh else name

    def done(self) -> None:
        """The export is written: the access log of the customers it held in clear."""
        self._done(self.ids, "")


def _when(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def rows(queryset, labels: _Labels, limit: int | None = None) -> Iterator[list]:
    values = queryset.values(*VALUES)
    if limit is not None:
        values = values[:limit]
    for r in values.iterator(chunk_size=CHUNK):
        full_name = f"{r['assignee__first_name'] or ''} {r['assignee__last_name'] or ''}".strip()
        labels.ids.append(r["id"])
        yield [
            r["number"] or "",
            r["title"],
            labels.name(r["category__name"], r["category__name_zh"]),
            labels.grade.get(r["grade"], r["grade"]),
            labels.status.get(r["status"], r["status"]),
            labels.customer(r["customer_name"]),
            r["asset_ref"],
            full_name or r["assignee__username"] or "",
            labels.name(r["team__name"], r["team__name_zh"]),
            _when(r["reported_at"]),
            _when(r["confirmed_at"]),
            _when(r["next_deadline"]),
            r["escalation_level"],
        ]


def _filename(ext: str) -> str:
    return f"incidents-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    # A cell a spreadsheet would run as a formula is kept as text (core/exports.py).
    return safe_cell(str(value))


def as_csv(queryset, *, user) -> StreamingHttpResponse:
    labels = _Labels(user)
    head = headers()
    writer = csv.writer(_Echo())

    def stream():
        # A BOM so that Excel opens the Chinese words as UTF-8.
        yield "\ufeff" + writer.writerow(head)
        for row in rows(queryset, labels):
            yield writer.writerow([_csv_cell(v) for v in row])
        labels.done()

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def as_xlsx(queryset, *, user) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Incidents")[:31])
    bold = Font(bold=True)
    head = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    labels = _Labels(user)
    for row in rows(queryset, labels, limit=XLSX_MAX_ROWS):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    labels.done()
    # Written to a temporary file rather than memory; FileResponse streams it out.
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book.save(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if hasattr(value, "strftime"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    return safe_cell(value)


FORMATS = {"csv": as_csv, "xlsx": as_xlsx}
