"""The service report (售后服务报告) and the assessment of one incident: the data both the
printable page and the PDF show, and the PDF itself.

The PDF is the printable page's own HTML (the same partial templates) laid out by
WeasyPrint, so the screen and the paper cannot drift apart. WeasyPrint shapes text with
Pango/HarfBuzz, picks fonts through fontconfig (Noto Sans CJK for Chinese, Noto Color Emoji,
DejaVu for the rest) and embeds a subset of each font it used, so the file reads the same
on a reader with no Chinese fonts."""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from assessments import services
from assessments.models import Assessment, SignOff, Survey, TechnicianSignOff
from incidents.models import Directive, EventKind, Incident
from incidents.services.directives import directive_text

PART_KINDS = (EventKind.PART_ISSUED, EventKind.PART_RETURNED)


@dataclass
class ReportData:
    incident: Incident
    events: list = field(default_factory=list)
    parts: list = field(default_factory=list)
    efficiency: list = field(default_factory=list)
    signoff: SignOff | None = None
    technician_signoff: TechnicianSignOff | None = None
    assessment: Assessment | None = None
    survey: Survey | None = None
    actions: list = field(default_factory=list)


def _shown_texts(incident: Incident, events: list) -> None:
    """``event.shown``: what the reader reads for each event, in their language. The
    standard directives were stored in LANGUAGE_CODE; ``directive_text`` words them anew."""
    directives = {}
    if any(e.kind == EventKind.DIRECTIVE for e in events):
        directives = {
            d.pk: d for d in Directive.objects.filter(incident=incident).select_related("team")
        }
    for e in events:
        directive = directives.get((e.data or {}).get("directive"))
        if e.kind == EventKind.DIRECTIVE and directive is not None:
            directive.incident = incident
            e.shown = directive_text(directive)
        else:
            e.shown = e.display_text


def report_data(incident: Incident) -> ReportData:
    events = list(incident.events.select_related("actor").order_by("created_at", "id"))
    _shown_texts(incident, events)
    return ReportData(
        incident=incident,
        events=events,
        parts=[e for e in events if e.kind in PART_KINDS],
        efficiency=services.efficiency(incident),
        signoff=SignOff.objects.filter(incident=incident).select_related("captured_by").first(),
        technician_signoff=TechnicianSignOff.objects.filter(incident=incident)
        .select_related("technician")
        .first(),
        assessment=Assessment.objects.filter(incident=incident).select_related("author").first(),
        survey=Survey.objects.filter(incident=incident).first(),
        actions=list(
            incident.assessment.actions.select_related("owner")
            if hasattr(incident, "assessment")
            else []
        ),
    )


# --- PDF -------------------------------------------------------------------------------


def _local_fetcher():
    """A WeasyPrint URL fetcher that reads our static files and uploaded signatures from
    disk and refuses every other URL: rendering a PDF never makes a network request."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = unquote(urlsplit(url).path)
            if path.startswith(settings.STATIC_URL):
                name = path.removeprefix(settings.STATIC_URL)
                found = finders.find(name) or _static_root_file(name)
                if not found:
                    raise ValueError(f"no static file {name}")
                with open(found, "rb") as fh:
                    body = fh.read()
            elif path.startswith(settings.MEDIA_URL):
                with default_storage.open(path.removeprefix(settings.MEDIA_URL), "rb") as fh:
                    body = fh.read()
            else:
                raise ValueError(f"not fetched while printing: {url}")
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return LocalFetcher()


def _static_root_file(name: str) -> str | None:
    """A collected (possibly hashed) static file, as production serves it."""
    if not settings.STATIC_ROOT:
        return None
    candidate = Path(settings.STATIC_ROOT) / name
    return str(candidate) if candidate.is_file() else None


# The screen stylesheets hold media queries and properties WeasyPrint does not print
# (sticky, overflow-x, SVG strokes); its warnings about them are expected, not news.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def render_pdf(template: str, data: ReportData, *, request) -> bytes:
    """``template`` (a whole HTML document for print) as a PDF."""
    from weasyprint import HTML

    html = render_to_string(
        template, {"data": data, "incident": data.incident, "pdf": True}, request=request
    )
    document = HTML(string=html, base_url="http://pdf.invalid/", url_fetcher=_local_fetcher())
    return document.write_pdf()


def service_report_pdf(data: ReportData, *, request) -> bytes:
    return render_pdf("assessments/pdf/service_report.html", data, request=request)


def assessment_pdf(data: ReportData, *, request) -> bytes:
    return render_pdf("assessments/pdf/assessment.html", data, request=request)
