"""The service report (售后服务报告) and the assessment of one incident: the data both the
printable page and the PDF show, and the PDF itself (reportlab, built-in CID font
STSong-Light so that Chinese prints without shipping a font file)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from assessments import services
from assessments.models import Assessment, SignOff, Survey
from incidents.models import EventKind, Incident

PART_KINDS = (EventKind.PART_ISSUED, EventKind.PART_RETURNED)


@dataclass
class ReportData:
    incident: Incident
    events: list = field(default_factory=list)
    parts: list = field(default_factory=list)
    efficiency: list = field(default_factory=list)
    signoff: SignOff | None = None
    assessment: Assessment | None = None
    survey: Survey | None = None
    actions: list = field(default_factory=list)


def report_data(incident: Incident) -> ReportData:
    events = list(incident.events.select_related("actor").order_by("created_at", "id"))
    return ReportData(
        incident=incident,
        events=events,
        parts=[e for e in events if e.kind in PART_KINDS],
        efficiency=services.efficiency(incident),
        signoff=SignOff.objects.filter(incident=incident).select_related("captured_by").first(),
        assessment=Assessment.objects.filter(incident=incident).select_related("author").first(),
        survey=Survey.objects.filter(incident=incident).first(),
        actions=list(
            incident.assessment.actions.select_related("owner")
            if hasattr(incident, "assessment")
            else []
        ),
    )


def _dt(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else _("system")


def _mins(value) -> str:
    return "—" if value is None else _("%(m)s min") % {"m": f"{value:g}"}


# --- PDF -------------------------------------------------------------------------------

FONT = "STSong-Light"


def _styles():
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=FONT, fontSize=18, leading=24),
        "h2": ParagraphStyle(
            "h",
            parent=base["Heading2"],
            fontName=FONT,
            fontSize=12.5,
            leading=17,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "body": ParagraphStyle(
            "b", parent=base["BodyText"], fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK"
        ),
        "small": ParagraphStyle(
            "s", parent=base["BodyText"], fontName=FONT, fontSize=8, leading=10, wordWrap="CJK"
        ),
    }


def _p(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text or "—")).replace("\n", "<br/>"), style)


def _table(rows, styles, widths=None, header=True):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [[_p(c, styles["body"]) if not hasattr(c, "wrap") else c for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9ca3af")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")))
    table.setStyle(TableStyle(commands))
    return table


def _facts(data: ReportData, styles):
    from reportlab.lib.units import mm

    i = data.incident
    rows = [
        [_("Number"), i.number, _("Grade"), i.get_grade_display()],
        [_("Category"), i.category.label, _("Status"), i.get_status_display()],
        [_("Customer"), i.customer_name, _("VIN / serial number"), i.asset_ref],
        [_("Location"), i.location, _("Service mode"), i.get_service_mode_display()],
        [_("Reported at"), _dt(i.reported_at), _("Resolved at"), _dt(i.resolved_at)],
        [
            _("Technician"),
            _name(i.assignee) if i.assignee else "—",
            _("Team"),
            i.team.label if i.team else "—",
        ],
    ]
    return _table(rows, styles, [28 * mm, 57 * mm, 28 * mm, 57 * mm], header=False)


def _efficiency(data: ReportData, styles):
    rows = [[_("Step"), _("Time"), _("From the report"), _("Target"), _("Met")]]
    for m in data.efficiency:
        met = "—" if m.met is None else (_("yes") if m.met else _("no (late)"))
        rows.append([m.label, _dt(m.at), _mins(m.minutes), _mins(m.target_minutes), met])
    rows.append([_("Escalation steps"), str(data.incident.escalation_level), "", "", ""])
    return _table(rows, styles)


def _signatures(data: ReportData, styles):
    from reportlab.lib.units import mm
    from reportlab.platypus import Image

    i, s = data.incident, data.signoff
    if s and s.signature:
        try:
            with s.signature.open("rb") as fh:
                customer = Image(
                    io.BytesIO(fh.read()), width=60 * mm, height=22 * mm, kind="proportional"
                )
        except OSError:
            customer = _p(_("(signature image missing)"), styles["body"])
        who = f"{s.signer_name} · {_dt(s.signed_at)}"
    elif s:
        customer = _p(_("No signature: %(r)s") % {"r": s.no_signature_reason}, styles["body"])
        who = _dt(s.signed_at)
    else:
        customer, who = _p(_("Not signed"), styles["body"]), ""
    rows = [
        [_("Technician"), _("Customer")],
        [
            _p(f"{_name(i.assignee) if i.assignee else '—'}\n{_dt(i.resolved_at)}", styles["body"]),
            customer,
        ],
        ["", who],
    ]
    return _table(rows, styles, [85 * mm, 85 * mm])


def service_report_pdf(data: ReportData) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    st = _styles()
    i = data.incident
    story = [
        _p(_("After-sales service report"), st["title"]),
        _p(f"{i.number} · {i.title}", st["body"]),
        _p(_("Facts"), st["h2"]),
        _facts(data, st),
        _p(_("What happened"), st["h2"]),
        _p(i.description, st["body"]),
        _p(_("Resolution"), st["h2"]),
        _p(i.resolution, st["body"]),
        _p(_("Handling times"), st["h2"]),
        _efficiency(data, st),
        _p(_("Parts used"), st["h2"]),
    ]
    if data.parts:
        story.append(
            _table(
                [[_("Time"), _("Movement"), _("Details")]]
                + [
                    [_dt(e.created_at), e.get_kind_display(), e.text or _part_text(e)]
                    for e in data.parts
                ],
                st,
                [35 * mm, 35 * mm, 100 * mm],
            )
        )
    else:
        story.append(_p(_("No parts used."), st["body"]))
    story += [
        _p(_("Timeline"), st["h2"]),
        _table(
            [[_("Time"), _("Event"), _("By"), _("Details")]]
            + [
                [_dt(e.created_at), e.get_kind_display(), _name(e.actor), e.display_text]
                for e in data.events
            ],
            st,
            [30 * mm, 30 * mm, 30 * mm, 80 * mm],
        ),
    ]
    story += [_p(_("Signatures"), st["h2"]), _signatures(data, st)]
    return _build(story, A4, mm, SimpleDocTemplate, title=f"{i.number} service report")


def _part_text(event) -> str:
    d = event.data or {}
    return " · ".join(str(d[k]) for k in ("part_name", "part", "quantity", "depot_name") if k in d)


def assessment_pdf(data: ReportData) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    st = _styles()
    i, a = data.incident, data.assessment
    story = [
        _p(_("Incident assessment"), st["title"]),
        _p(f"{i.number} · {i.title}", st["body"]),
        _p(_("Facts"), st["h2"]),
        _facts(data, st),
        _p(_("Handling efficiency"), st["h2"]),
        _efficiency(data, st),
        _p(_("Cause analysis"), st["h2"]),
        _p(a.cause if a else "", st["body"]),
        _p(_("Customer feedback"), st["h2"]),
        _p(a.customer_feedback if a else "", st["body"]),
    ]
    if data.survey and data.survey.answered_at:
        story.append(
            _p(
                _("Survey: %(r)s/5 · %(c)s")
                % {"r": data.survey.rating, "c": data.survey.comment or "—"},
                st["body"],
            )
        )
    story += [
        _p(_("Summary"), st["h2"]),
        _p(a.summary if a else "", st["body"]),
        _p(_("Corrective actions"), st["h2"]),
    ]
    if data.actions:
        story.append(
            _table(
                [[_("Action"), _("Owner"), _("Due"), _("Status")]]
                + [
                    [c.description, _name(c.owner), c.due_date.isoformat(), c.get_status_display()]
                    for c in data.actions
                ],
                st,
                [85 * mm, 35 * mm, 25 * mm, 25 * mm],
            )
        )
    else:
        story.append(_p(_("None."), st["body"]))
    if a:
        status = a.get_status_display()
        story.append(
            _p(f"{status} · {_name(a.author)} · {_dt(a.submitted_at or a.updated_at)}", st["small"])
        )
    return _build(story, A4, mm, SimpleDocTemplate, title=f"{i.number} assessment")


def _build(story, pagesize, mm, doc_class, *, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = doc_class(
        buffer,
        pagesize=pagesize,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
    )
    doc.build(story)
    return buffer.getvalue()
