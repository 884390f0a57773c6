"""The parts panels on the incident page and on a technician's job card.

A panel action (reserve, issue, return, release, used) answers in the panel itself: its
outcome, and after a failure the form as it was typed with the error beside it. An HTMX
post gets the panel back to swap in; a full-page post stores the outcome in the session
(``remember``) and the panel of the page the browser returns to shows it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.template.loader import render_to_string

from core.web import per_request
from spareparts import services
from spareparts.forms import IssueForm, ReleaseForm, ReserveForm, ReturnForm, UsedForm
from spareparts.models import Part, UnitReturn

SESSION_KEY = "spareparts.panel_outcome"

FORMS = {
    "reserve": ReserveForm,
    "issue": IssueForm,
    "return": ReturnForm,
    "release": ReleaseForm,
    "used": UsedForm,
}
PREFIX = {"reserve": "r", "issue": "i", "return": "t", "used": "u"}


@dataclass
class Outcome:
    """What a panel action did: ``ok`` with its ``message``, or the bound ``form`` whose
    errors say why not."""

    incident_id: int
    action: str
    ok: bool
    message: str = ""
    data: dict = field(default_factory=dict)
    form: forms.Form | None = None


def make_form(action: str, incident, data=None) -> forms.Form:
    prefix = f"{PREFIX[action]}{incident.pk}" if action in PREFIX else None
    kwargs = {"incident": incident} if action == "used" else {}
    if data is None and action != "used":
        home = services.depots_for(incident)[:1]
        kwargs["initial"] = {"depot": home[0].pk} if home else {}
    return FORMS[action](data, prefix=prefix, **kwargs)


def add_service_error(form: forms.Form, messages: dict[str, list[str]] | list[str]) -> None:
    """Put a service's error on the field it names, else above the form."""
    if isinstance(messages, dict):
        for name, errors in messages.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in messages:
            form.add_error(None, error)


def remember(request, outcome: Outcome, errors) -> None:
    """Keep the outcome for the page the browser is sent back to (full-page posts)."""
    request.session[SESSION_KEY] = {
        "incident": outcome.incident_id,
        "action": outcome.action,
        "ok": outcome.ok,
        "message": outcome.message,
        "data": outcome.data,
        "errors": errors,
    }


def _recall(request, incident) -> Outcome | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("incident") != incident.pk:
        return None
    del request.session[SESSION_KEY]
    outcome = Outcome(incident.pk, stored["action"], stored["ok"], stored["message"])
    if not outcome.ok and stored["action"] in FORMS:
        outcome.form = make_form(stored["action"], incident, stored["data"])
        outcome.form.is_valid()  # the field errors, as they were
        add_service_error(outcome.form, stored["errors"] or [])
    return outcome


def _form_for(action: str, incident, outcome: Outcome | None):
    if outcome and outcome.action == action and outcome.form is not None:
        return outcome.form
    return make_form(action, incident)


def _first_error_gets_focus(form) -> None:
    for bound in form:
        if bound.errors:
            bound.field.widget.attrs["autofocus"] = True
            return


def _sku_options(request) -> str:
    """The ``<option>``s of the SKU suggestion lists, (SKU, tracking) of the active parts:
    tracked parts are marked there, so the serial / batch field's need shows before a
    submit. Rendered once per request."""

    def build():
        skus = Part.objects.filter(is_active=True).order_by("sku").values_list("sku", "tracking")
        return render_to_string("spareparts/partials/sku_options.html", {"skus": skus[:300]})

    return per_request(request, "sku-options", build)


def _share_depot_choices(request, form) -> None:
    """The depot list is the same on every card: read it once per request."""
    field = form.fields["depot"]
    field.choices = per_request(request, "depot-choices", lambda: list(field.choices))


def incident_panel(request, incident, outcome: Outcome | None = None):
    user = request.user
    if not (
        user.has_perm("spareparts.view_stockbalance") or services.can_move_parts_for(user, incident)
    ):
        return None
    can_move = services.can_move_parts_for(user, incident)
    outcome = outcome or _recall(request, incident)
    context = {
        "incident": incident,
        "rows": services.parts_for_incident(incident),
        "unit_returns": UnitReturn.objects.filter(incident=incident).select_related(
            "part", "depot"
        ),
        "can_move": can_move,
        "is_open": incident.status in services.PARTS_STATUSES,
        "outcome": outcome,
        "sku_options": _sku_options(request) if can_move else "",
    }
    if can_move:
        for action in ("reserve", "issue", "return"):
            context[f"{action}_form"] = form = _form_for(action, incident, outcome)
            if form.errors:
                _first_error_gets_focus(form)
    return "spareparts/panels/incident.html", context


class JobPanel:
    """The parts card of a technician's job: the parts used so far, and the form to record
    one more. A closed card (no parts yet) leaves the form out and loads it when opened
    (``job_card``), so a page of 30 jobs does not carry 30 forms and 30 SKU lists. On a
    page of job cards ``prefetch`` reads the parts and default depots of every card at
    once (three queries for the page instead of three per card)."""

    def prefetch(self, request, incidents) -> None:
        ids = [incident.pk for incident in incidents]
        per_request(
            request,
            "spareparts-jobs",
            lambda: (
                services.parts_for_incidents(ids),
                services.team_depots({i.team_id for i in incidents if i.team_id}),
            ),
        )

    def __call__(self, request, incident, outcome: Outcome | None = None, *, opened=False):
        if not services.can_move_parts_for(request.user, incident):
            return None
        outcome = outcome or _recall(request, incident)
        rows, home = self._prefetched(request, incident)
        if rows is None:
            rows = services.parts_for_incident(incident)
            home = _UNKNOWN
        context = {"incident": incident, "rows": rows, "outcome": outcome, "opened": opened}
        if not (rows or outcome or opened):
            return "spareparts/panels/job.html", {**context, "lazy": True}
        if outcome and outcome.action == "used" and outcome.form is not None:
            form = outcome.form
        elif home is _UNKNOWN:
            form = make_form("used", incident)
        else:
            form = UsedForm(
                prefix=f"{PREFIX['used']}{incident.pk}",
                incident=incident,
                default_depot=services.default_use_depot(rows, home),
            )
        _share_depot_choices(request, form)
        if form.errors:
            _first_error_gets_focus(form)
        return "spareparts/panels/job.html", {
            **context,
            "form": form,
            "sku_options": _sku_options(request),
        }

    @staticmethod
    def _prefetched(request, incident):
        jobs = per_request(request, "spareparts-jobs", lambda: None)  # set by prefetch
        if not jobs or incident.pk not in jobs[0]:
            return None, None
        return jobs[0][incident.pk], jobs[1].get(incident.team_id)


_UNKNOWN = object()  # JobPanel: the team's depot was not read
job_panel = JobPanel()
