"""A part used, queued on the technician's phone and synced through field's endpoint
(``settings.FIELD_SYNC_HANDLERS``): the job card's "part used" form and service, with the
phone's time."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from spareparts import services
from spareparts.forms import UsedForm


def part_used(incident, *, actor, now, data: dict, file=None) -> dict:
    form = UsedForm(
        {
            "part": data.get("sku") or data.get("part") or "",
            # Unchosen: where the job card's form would take it from (the reservation's).
            "depot": data.get("depot") or UsedForm._default_depot(incident) or "",
            "quantity": data.get("quantity") or 1,
            "lots": data.get("lots") or "",
        },
        incident=incident,
    )
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    d = form.cleaned_data
    moves = services.issue_part(
        incident,
        part=d["part"],
        depot=d["depot"],
        quantity=d["quantity"],
        lots=d["lots"],
        actor=actor,
        now=now,
    )
    return {"moves": [m.pk for m in moves], "sku": d["part"].sku}
