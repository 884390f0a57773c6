"""Shared by every stock service: permissions, quantities, batch and serial numbers."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.types import Actor

# The access policy; is_on_job and _require (a model permission) are re-exported.
from incidents.access import can, is_on_job, require  # noqa: F401
from incidents.access import require_perm as _require  # noqa: F401
from incidents.models import OPEN_STATUSES, Incident, Status
from spareparts.models import (
    Depot,
    Part,
    StockMove,
    Tracking,
)

# Incidents may still use parts once resolved (the technician records them afterwards).
PARTS_STATUSES = (*OPEN_STATUSES, Status.RESOLVED)


# --- permissions ------------------------------------------------------------------------


def can_move_parts_for(user: Actor, incident: Incident) -> bool:
    """Logistics and the desk reserve/issue/return for any job; a technician records the
    parts used on their own jobs (the policy: incidents/access.py ``move_parts``)."""
    return can(user, "move_parts", incident)


def _require_parts_for(actor: Actor, incident: Incident) -> None:
    require(actor, "move_parts", incident)


# --- lots (batch and serial numbers) ------------------------------------------------------


def _positive(quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity <= 0:
        raise ValidationError({"quantity": [_("Enter a quantity of at least 1.")]})
    return quantity


def _lots(
    part: Part, quantity: int, lots: Sequence[str] | None, *, required: bool
) -> list[tuple[str, int]]:
    """(lot, quantity) pairs: one per serial, one batch, or one untracked line."""
    lots = [str(x).strip() for x in (lots or []) if str(x).strip()]
    if part.tracking == Tracking.SERIAL:
        if (required or lots) and (len(lots) != quantity or len(set(lots)) != len(lots)):
            raise ValidationError(
                {
                    "lots": [
                        ngettext(
                            "%(part)s is tracked by serial number: give %(n)s serial number.",
                            "%(part)s is tracked by serial number: "
                            "give %(n)s different serial numbers.",
                            quantity,
                        )
                        % {"part": part.sku, "n": quantity}
                    ]
                }
            )
        return [(s, 1) for s in lots] if lots else [("", quantity)]
    if part.tracking == Tracking.BATCH:
        if len(lots) > 1 or (required and not lots):
            raise ValidationError(
                {
                    "lots": [
                        _("%(part)s is tracked by batch: give one batch number.")
                        % {"part": part.sku}
                    ]
                }
            )
        return [(lots[0] if lots else "", quantity)]
    return [("", quantity)]


def serial_on_hand(part: Part, serial: str, depot: Depot | None = None) -> int:
    moves = StockMove.objects.filter(part=part, lot=serial)
    if depot is not None:
        moves = moves.filter(depot=depot)
    return moves.aggregate(n=Sum("on_hand_delta", default=0))["n"]


def _require_serials_at(part: Part, depot: Depot, pairs: Sequence[tuple[str, int]]) -> None:
    if part.tracking != Tracking.SERIAL:
        return
    missing = [lot for lot, _q in pairs if lot and serial_on_hand(part, lot, depot) < 1]
    if missing:
        raise ValidationError(
            {
                "lots": [
                    _("Not in stock at %(depot)s: %(serials)s")
                    % {"depot": depot.label, "serials": ", ".join(missing)}
                ]
            }
        )
