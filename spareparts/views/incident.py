# ruff: noqa: RUF001 - messages print quantities with the multiplication sign on purpose
"""The incident page's and the job card's parts panels: reserve, issue, record as used,
return, release; and receiving a failed unit back."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.web import SERVICE_ERRORS, error_text, run_service, safe_next
from incidents.access import get_incident_for
from spareparts import panels, services
from spareparts.models import MoveKind, UnitReturn
from spareparts.views.common import back


@dataclass(frozen=True)
class PanelAction:
    """A panel action: the service it calls, the form fields it passes on besides part,
    depot and actor, and what is said when it worked."""

    service: object
    fields: tuple[str, ...]
    said: str


# Each panel action (its form: panels.FORMS) and the service call it makes.
PANEL_ACTIONS = {
    "reserve": PanelAction(
        services.reserve_part,
        ("quantity",),
        gettext_lazy("Reserved: %(part)s × %(n)s at %(depot)s."),
    ),
    "issue": PanelAction(
        services.issue_part,
        ("quantity", "lots"),
        gettext_lazy("Issued: %(part)s × %(n)s from %(depot)s."),
    ),
    "used": PanelAction(
        services.issue_part,
        ("quantity", "lots"),
        gettext_lazy("Recorded as used: %(part)s × %(n)s from %(depot)s."),
    ),
    "return": PanelAction(
        services.return_part,
        ("quantity", "lots", "reason"),
        gettext_lazy("Returned to stock: %(part)s × %(n)s at %(depot)s."),
    ),
    "release": PanelAction(
        services.release_part, (), gettext_lazy("Released: %(part)s at %(depot)s.")
    ),
}


def _run_panel_service(action: str, incident, d: dict, actor) -> tuple[list, str]:
    """Call the service of ``action``: (its stock moves, what to say)."""
    spec = PANEL_ACTIONS[action]
    kwargs = {name: d[name] for name in spec.fields}
    moves = spec.service(incident, part=d["part"], depot=d["depot"], actor=actor, **kwargs)
    said = str(spec.said) % {
        "part": d["part"].sku,
        "n": d.get("quantity"),
        "depot": d["depot"].label,
    }
    if action in ("issue", "used"):  # a reservation held elsewhere was let go: say so
        said = " ".join(
            [said]
            + [
                _("Reservation released: %(n)s at %(depot)s.")
                % {"n": m.quantity, "depot": m.depot.label}
                for m in moves or []
                if m.kind == MoveKind.RELEASE
            ]
        )
    return moves, said


def _panel_action(request, incident, action: str):
    """Validate and run one panel action. (outcome, service errors for the session)."""
    form = panels.make_form(action, incident, request.POST)
    data = {k: v for k, v in request.POST.items() if k.startswith(f"{form.prefix or ''}")}
    data.pop("csrfmiddlewaretoken", None)
    outcome = panels.Outcome(incident.pk, action, ok=False, data=data, form=form)
    if not form.is_valid():
        return outcome, []
    try:
        _moves, said = _run_panel_service(action, incident, form.cleaned_data, request.user)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        panels.add_service_error(form, errors)
        return outcome, errors
    except SERVICE_ERRORS as exc:
        errors = [error_text(exc)]
        panels.add_service_error(form, errors)
        return outcome, errors
    return panels.Outcome(incident.pk, action, ok=True, message=said), []


@login_required
@require_POST
def incident_parts(request, pk: int, action: str):
    """A panel action. HTMX: the panel comes back with the outcome beside the form. A
    full-page post goes back (to ``next`` or the incident) at the panel, which shows the
    outcome and, after a failure, the form as typed with its errors."""
    incident = get_incident_for(request, pk)
    if action not in PANEL_ACTIONS or action not in panels.FORMS:
        raise Http404
    outcome, errors = _panel_action(request, incident, action)
    panel = panels.job_panel if action == "used" else panels.incident_panel
    if request.headers.get("HX-Request"):
        result = panel(request, incident, outcome)
        if result is None:
            raise PermissionDenied
        response = render(request, *result)
        if outcome.ok:
            response["HX-Trigger"] = "parts-changed"
        return response
    panels.remember(request, outcome, errors)
    anchor = f"#parts-{incident.pk}" if action == "used" else "#parts"
    target = safe_next(request, reverse("incidents:detail", args=[incident.pk]))
    return redirect(target.split("#")[0] + anchor)


@login_required
def job_card(request, pk: int):
    """A job card's parts panel, opened: HTMX swaps it in when the technician opens the
    card; without JavaScript it is a page of its own."""
    incident = get_incident_for(request, pk)
    result = panels.job_panel(request, incident, opened=True)
    if result is None:
        raise Http404
    if request.headers.get("HX-Request"):
        return render(request, *result)
    template, context = result
    return render(
        request,
        "spareparts/job_card.html",
        {"incident": incident, "panel": template, **context},
    )


@login_required
@require_POST
def unit_return_received(request, pk: int):
    ret = get_object_or_404(UnitReturn, pk=pk)
    run_service(
        request,
        lambda: services.receive_failed_unit(ret, actor=request.user),
        _("Failed unit received."),
    )
    return back(request, reverse("incidents:detail", args=[ret.incident_id]))
