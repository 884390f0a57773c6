"""Hooks into the incident lifecycle and the whole-unit replacement."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.types import Actor
from incidents.models import EventKind, Incident, ServiceMode
from incidents.services import Said, record_event
from spareparts.exceptions import InvalidStockState, NotEnoughStock
from spareparts.models import (
    Depot,
    DepotKind,
    Part,
    PartCategory,
    RequestSource,
    ReturnStatus,
    UnitReturn,
)
from spareparts.services.common import _require
from spareparts.services.purchasing import _create_request
from spareparts.services.stock import _reserve, release_all

# --- lifecycle hooks (registered in SparepartsConfig.ready) -------------------------------


def on_incident_cancelled(incident: Incident, *, actor: Actor, now: datetime) -> None:
    """Cancel releases every reservation and drops the pending failed-unit return."""
    release_all(incident, actor=actor, now=now, reason=gettext_noop("Incident cancelled"))
    UnitReturn.objects.filter(incident=incident, status=ReturnStatus.OPEN).update(
        status=ReturnStatus.CANCELLED
    )


def on_incident_closed(incident: Incident, *, actor: Actor, now: datetime) -> None:
    """Whatever a closed job still holds reserved goes back to available stock."""
    release_all(incident, actor=actor, now=now, reason=gettext_noop("Incident closed"))


def replacement_part_for(incident: Incident) -> Part | None:
    """The whole unit that replaces the customer's: the active replacement unit whose
    ``replaces_assets`` prefix is the longest match of the incident's VIN / serial."""
    asset = (incident.asset_ref or "").upper()
    units = Part.objects.filter(category=PartCategory.UNIT, is_active=True).exclude(
        replaces_assets=""
    )
    matches = [u for u in units if asset.startswith(u.replaces_assets.upper())]
    return max(matches, key=lambda u: len(u.replaces_assets), default=None)


def depots_for(incident: Incident) -> list[Depot]:
    """Depots to take parts from, best first: the job's service centre, HQ, the rest."""
    depots = list(Depot.objects.filter(is_active=True))

    def rank(d: Depot):
        return (
            0
            if incident.team_id and d.team_id == incident.team_id
            else 1
            if d.kind == DepotKind.HQ
            else 2,
            d.code,
        )

    return sorted(depots, key=rank)


def wants_unit_replacement(incident: Incident) -> bool:
    return incident.service_mode == ServiceMode.UNIT_REPLACEMENT


def on_unit_replacement(incident: Incident, *, actor: Actor, now: datetime) -> None:
    """Emergency whole-unit replacement: reserve the replacement unit at the nearest depot
    that has one and open the return of the failed unit. Once per incident; never blocks
    the incident's transition (no unit in stock becomes a draft purchase request)."""
    if not wants_unit_replacement(incident):
        return
    if UnitReturn.objects.filter(incident=incident).exists():
        return
    part = replacement_part_for(incident)
    if part is None:
        record_event(
            incident,
            EventKind.NOTE,
            actor=None,
            now=now,
            text=Said(
                gettext_noop("No replacement unit is configured for asset %(a)s."),
                a=incident.asset_ref or "—",
            ),
        )
        return
    depots = depots_for(incident)
    chosen = None
    for depot in depots:
        try:
            with transaction.atomic():  # a savepoint: a lost race tries the next depot
                _reserve(
                    incident,
                    part=part,
                    depot=depot,
                    quantity=1,
                    actor=actor,
                    now=now,
                    note=_("Whole-unit replacement"),
                )
        except NotEnoughStock:
            continue
        chosen = depot
        break
    if chosen is None:
        home = depots[0] if depots else Depot.objects.first()
        if home is None:
            return
        _create_request(
            part=part,
            depot=home,
            quantity=1,
            source=RequestSource.JOB,
            incident=incident,
            actor=None,
            now=now,
            note=_("Replacement unit for %(n)s") % {"n": incident.number},
        )
        record_event(
            incident,
            EventKind.NOTE,
            actor=None,
            now=now,
            text=Said(
                gettext_noop("No %(part)s in stock: a purchase request was drafted."),
                part=part.sku,
            ),
        )
    UnitReturn.objects.create(
        incident=incident,
        part=part,
        depot=chosen or depots[0],
        serial=incident.asset_ref,
        opened_at=now,
    )


def receive_failed_unit(
    unit_return: UnitReturn, *, actor: Actor, now: datetime | None = None
) -> UnitReturn:
    """The failed unit arrived at the depot: the return is closed."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    updated = UnitReturn.objects.filter(pk=unit_return.pk, status=ReturnStatus.OPEN).update(
        status=ReturnStatus.RECEIVED, received_at=now, received_by=actor
    )
    if not updated:
        raise InvalidStockState(_("This return is not awaited any more."))
    unit_return.refresh_from_db()
    return unit_return
