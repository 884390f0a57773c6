"""The parts panels on the incident page and on a technician's job card."""

from spareparts import services
from spareparts.forms import IssueForm, ReserveForm, ReturnForm, UsedForm
from spareparts.models import Part, UnitReturn


def _skus() -> list[str]:
    return list(
        Part.objects.filter(is_active=True).order_by("sku").values_list("sku", flat=True)[:300]
    )


def incident_panel(request, incident):
    user = request.user
    if not (
        user.has_perm("spareparts.view_stockbalance") or services.can_move_parts_for(user, incident)
    ):
        return None
    can_move = services.can_move_parts_for(user, incident)
    home = services.depots_for(incident)[:1]
    initial = {"depot": home[0].pk} if home else {}
    return "spareparts/panels/incident.html", {
        "incident": incident,
        "rows": services.parts_for_incident(incident),
        "unit_returns": UnitReturn.objects.filter(incident=incident).select_related(
            "part", "depot"
        ),
        "can_move": can_move,
        "is_open": incident.status in services.PARTS_STATUSES,
        "reserve_form": ReserveForm(prefix=f"r{incident.pk}", initial=initial)
        if can_move
        else None,
        "issue_form": IssueForm(prefix=f"i{incident.pk}", initial=initial) if can_move else None,
        "return_form": ReturnForm(prefix=f"t{incident.pk}", initial=initial) if can_move else None,
        "skus": _skus() if can_move else [],
    }


def job_panel(request, incident):
    if not services.can_move_parts_for(request.user, incident):
        return None
    return "spareparts/panels/job.html", {
        "incident": incident,
        "rows": services.parts_for_incident(incident),
        "form": UsedForm(prefix=f"u{incident.pk}", incident=incident),
        "skus": _skus(),
    }
