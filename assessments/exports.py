"""The evaluation as CSV and XLSX (same rows in both)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from assessments.evaluation import TARGET_LABELS, TARGETS
from core.exports import safe_row


def _r(value, digits=4):
    return None if value is None else round(value, digits)


def _mins(seconds):
    return None if seconds is None else round(seconds / 60, 1)


def evaluation_rows(context: dict) -> dict[str, list[list]]:
    """Sheets of rows: header row first."""
    period, total = context["period"], context["total"]
    summary = [
        [_("Figure"), _("Value")],
        [_("Period start"), period.start.isoformat()],
        [_("Period end"), period.end.isoformat()],
        [_("Incidents"), total["n_all"]],
        [_("Resolved"), total["n_resolved"]],
        [_("Closed"), total["n_closed"]],
        [_("Cancelled"), total["n_cancelled"]],
        [_("Still open"), total["n_open"]],
        [_("Confirmed within the window"), total["n_confirmed_in_window"]],
        [_("Counted for the confirmation window"), total["n_confirm_eligible"]],
        [_("Share confirmed within the window"), _r(total["confirm_share"])],
    ]
    for key, label in (("confirm", _("Time to confirm")), ("resolve", _("Time to resolve"))):
        for stat, stat_label in (("mean", _("mean")), ("median", _("median")), ("p90", _("p90"))):
            summary.append(
                [f"{label} ({stat_label}, {_('minutes')})", _mins(total[f"{key}_{stat}"])]
            )
    for t in TARGETS:
        name = TARGET_LABELS[t]
        summary += [
            [f"{name}: {_('met')}", total[f"n_{t}_met"]],
            [f"{name}: {_('breached')}", total[f"n_{t}_breached"]],
            [f"{name}: {_('breach rate')}", _r(total[f"{t}_breach_rate"])],
        ]
    summary += [
        [_("Escalated incidents"), total["n_escalated"]],
        [_("Escalation steps"), total["steps"]],
        [_("Surveys sent"), total["n_surveyed"]],
        [_("Surveys answered"), total["n_answered"]],
        [_("Response rate"), _r(total["response_rate"])],
        [_("Satisfaction (1-5)"), _r(total["csat"], 2)],
    ]
    if "n_parts" in total:
        summary += [
            [_("Incidents that consumed spare parts"), total["n_parts"]],
            [_("Spare parts issued"), total["parts_issued"]],
            [_("Spare parts returned"), total["parts_returned"]],
            [_("Spare parts consumed"), total["parts_net"]],
        ]
    head = [
        _("Incidents"),
        _("Confirmed within the window"),
        _("Share"),
        *[f"{TARGET_LABELS[t]}: {_('breach rate')}" for t in TARGETS],
        _("Escalation steps"),
        _("Mean time to resolve (minutes)"),
        _("Satisfaction (1-5)"),
    ]

    def line(key, row):
        return [
            key,
            row["n_all"],
            row["n_confirmed_in_window"],
            _r(row["confirm_share"]),
            *[_r(row[f"{t}_breach_rate"]) for t in TARGETS],
            row["steps"],
            _mins(row["resolve_mean"]),
            _r(row["csat"], 2),
        ]

    weekly = [[_("Week of"), *head]] + [
        line(m.isoformat(), row) for m, row, _l in context["weekly"]
    ]
    grades = [[_("Grade"), *head]] + [line(str(g["label"]), g["row"]) for g in context["by_grade"]]
    cats = [[_("Category"), *head]] + [
        line(str(c["label"]), c["row"]) for c in context["by_category"]
    ]
    teams = [[_("Team / service centre"), *head]] + [
        line(str(t["label"]), t["row"]) for t in context["by_team"]
    ]
    return {
        _("Summary"): summary,
        _("Weekly"): weekly,
        _("By grade"): grades,
        _("By category"): cats,
        _("By team"): teams,
    }


def _filename(context: dict, ext: str) -> str:
    p = context["period"]
    return f"evaluation-{p.start.isoformat()}-{p.end.isoformat()}.{ext}"


def evaluation_csv(context: dict) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for title, rows in evaluation_rows(context).items():
        writer.writerow([f"# {title}"])
        writer.writerows(safe_row(row) for row in rows)
        writer.writerow([])
    # A BOM so that Excel opens the Chinese labels as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(context, "csv")}"'
    return response


def evaluation_xlsx(context: dict) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, rows in evaluation_rows(context).items():
        sheet = book.create_sheet(title=str(title)[:31])
        for row in rows:
            sheet.append(safe_row(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 44
        sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(context, "xlsx")}"'
    return response
