"""Moves for incidents (reserve, release, issue, return), adjustments, reorder levels.

Moves for an incident lock the incident row ``FOR NO KEY UPDATE`` (a concurrent cancel
waits for them and then releases what they reserved; the ledger sums they check stay true
until they commit). The reservation accelerator (``reservation_pg``) takes it ``FOR SHARE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.db import accelerated
from core.types import Actor
from incidents import timeline
from incidents.models import OPEN_STATUSES, EventKind, Incident, IncidentEvent, Status
from spareparts.exceptions import InvalidStockState
from spareparts.models import (
    SYSTEM_REASONS,
    USED_ELSEWHERE,
    Depot,
    MoveKind,
    Part,
    StockBalance,
    StockMove,
    Stocktake,
    Tracking,
)
from spareparts.services.common import (
    PARTS_STATUSES,
    _lots,
    _positive,
    _require,
    _require_parts_for,
    _require_serials_at,
)
from spareparts.services.ledger import _move_balance, _moves

# The timeline line of a move whose reason the system gave (see _event_payload).
SAID_WITH_REASON = {
    "Incident cancelled": gettext_noop("%(line)s — Incident cancelled"),
    "Incident closed": gettext_noop("%(line)s — Incident closed"),
    "Transfer cancelled": gettext_noop("%(line)s — Transfer cancelled"),
    USED_ELSEWHERE: gettext_noop("%(line)s — Used from another depot"),
}

# --- incidents ---------------------------------------------------------------------------


def _lock_incident(incident: Incident, statuses) -> str:
    """Lock the incident row and return its status; raise if not in ``statuses``."""
    status = (
        Incident.objects.select_for_update(no_key=True)
        .filter(pk=incident.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status is None or status not in statuses:
        raise InvalidStockState(
            _("Parts cannot be moved for an incident that is %(status)s.")
            % {"status": Status(status).label if status else "?"}
        )
    return status


def _event(
    incident: Incident,
    kind: str,
    part: Part,
    depot: Depot,
    quantity: int,
    *,
    actor: Actor,
    now: datetime,
    lots: Sequence[tuple[str, int]] = (),
    reason: str = "",
    move: StockMove | None = None,
) -> IncidentEvent:
    """The unsaved timeline event of a parts move for ``incident``."""
    return timeline.part_moved(
        incident,
        kind,
        actor=actor,
        at=now,
        part=part,
        depot=depot,
        quantity=quantity,
        lots=[lot for lot, _q in lots],
        reason=reason,
        said_reason=SAID_WITH_REASON.get(reason) if reason in SYSTEM_REASONS else None,
        move_id=move.pk if move else None,
    )


def outstanding(incident: Incident, part: Part, depot: Depot | None = None) -> dict:
    """What the ledger says ``incident`` holds of ``part``: reserved (at ``depot``) and issued
    net of returns (anywhere)."""
    moves = StockMove.objects.filter(incident=incident, part=part)
    reserved = moves.filter(depot=depot) if depot is not None else moves
    return {
        "reserved": reserved.aggregate(n=Sum("reserved_delta", default=0))["n"],
        "issued": (
            moves.filter(kind=MoveKind.ISSUE).aggregate(n=Sum("quantity", default=0))["n"]
            - moves.filter(kind=MoveKind.RETURN).aggregate(n=Sum("quantity", default=0))["n"]
        ),
    }


def reserve_part(
    incident: Incident,
    *,
    part: Part,
    depot: Depot,
    quantity: int,
    actor: Actor,
    now: datetime | None = None,
    note: str = "",
) -> StockMove:
    """Reserve ``quantity`` of ``part`` at ``depot`` for an open incident.

    In one transaction: lock the incident, write the ledger row and the ``part_reserved``
    event, then the guarded UPDATE of the pre-existing balance row (last, so the hot row is
    locked only for the UPDATE and the COMMIT); raises NotEnoughStock when fewer are
    available (nothing is written then). Outside a transaction on PostgreSQL the
    accelerator (``reservation_pg``) does the same in one statement, and hands what it
    refuses to this path.
    """
    now = now or timezone.now()
    quantity = _positive(quantity)
    _require_parts_for(actor, incident)
    note = note or ""
    if accelerated() and not connection.in_atomic_block:
        from spareparts.services import reservation_pg

        event = _event(
            incident,
            EventKind.PART_RESERVED,
            part,
            depot,
            quantity,
            actor=actor,
            now=now,
            reason=note,
        )
        move_id = reservation_pg.reserve(
            incident,
            event,
            part_id=part.pk,
            depot_id=depot.pk,
            quantity=quantity,
            actor_id=actor.pk if actor else None,
            now=now,
            note=note[:255],
        )
        if move_id is not None:
            move = StockMove(
                pk=move_id,
                part=part,
                depot=depot,
                kind=MoveKind.RESERVE,
                quantity=quantity,
                reserved_delta=quantity,
                incident=incident,
                user=actor,
                created_at=now,
                reason=note[:255],
            )
            move._state.adding = False  # the statement wrote it
            return move
        # Refused: not open, not enough stock, or a low-stock crossing. The transaction
        # below raises the right error or writes the alert with the reservation.
    with transaction.atomic():
        _lock_incident(incident, OPEN_STATUSES)
        return _reserve(
            incident, part=part, depot=depot, quantity=quantity, actor=actor, now=now, note=note
        )


def _reserve(incident, *, part, depot, quantity, actor: Actor, now, note="") -> StockMove:
    (move,) = _moves(
        part,
        depot,
        MoveKind.RESERVE,
        [("", quantity)],
        sign_on=0,
        sign_res=1,
        now=now,
        actor=actor,
        incident=incident,
        reason=note,
    )
    timeline.write(
        [
            _event(
                incident,
                EventKind.PART_RESERVED,
                part,
                depot,
                quantity,
                actor=actor,
                now=now,
                reason=note,
                move=move,
            )
        ]
    )
    _move_balance(part, depot, reserved=quantity, now=now, requested=quantity)
    return move


def release_part(
    incident: Incident,
    *,
    part: Part,
    depot: Depot,
    quantity: int | None = None,
    actor: Actor,
    now: datetime | None = None,
    reason: str = "",
) -> StockMove | None:
    """Give back (some of) what ``incident`` reserved of ``part`` at ``depot`` (all of it
    when ``quantity`` is None). Returns None when nothing was reserved."""
    now = now or timezone.now()
    _require_parts_for(actor, incident)
    with transaction.atomic():
        _lock_incident(incident, tuple(Status))
        held = outstanding(incident, part, depot)["reserved"]
        quantity = held if quantity is None else _positive(quantity)
        if quantity <= 0:
            return None
        if quantity > held:
            raise ValidationError(
                {"quantity": [_("This incident holds only %(n)s reserved.") % {"n": held}]}
            )
        return _release(
            incident, part=part, depot=depot, quantity=quantity, actor=actor, now=now, reason=reason
        )


def _release(incident, *, part, depot, quantity, actor: Actor, now, reason="") -> StockMove:
    (move,) = _moves(
        part,
        depot,
        MoveKind.RELEASE,
        [("", quantity)],
        sign_on=0,
        sign_res=-1,
        now=now,
        actor=actor,
        incident=incident,
        reason=reason,
    )
    timeline.write(
        [
            _event(
                incident,
                EventKind.PART_RELEASED,
                part,
                depot,
                quantity,
                actor=actor,
                now=now,
                reason=reason,
                move=move,
            )
        ]
    )
    _move_balance(part, depot, reserved=-quantity, now=now)
    return move


def release_all(
    incident: Incident, *, actor: Actor = None, now: datetime | None = None, reason: str = ""
) -> int:
    """Release every reservation ``incident`` still holds (on cancel and close). Runs inside
    the caller's transaction, which holds the incident's row lock."""
    now = now or timezone.now()
    held = [r for r in StockMove.objects.net_for_incident(incident.pk) if r["reserved"] > 0]
    parts = Part.objects.in_bulk({r["part_id"] for r in held})
    depots = Depot.objects.in_bulk({r["depot_id"] for r in held})
    for r in held:
        _release(
            incident,
            part=parts[r["part_id"]],
            depot=depots[r["depot_id"]],
            quantity=r["reserved"],
            actor=actor,
            now=now,
            reason=reason,
        )
    return len(held)


def issue_part(
    incident: Incident,
    *,
    part: Part,
    depot: Depot,
    quantity: int,
    lots: Sequence[str] | None = None,
    actor: Actor,
    now: datetime | None = None,
    note: str = "",
) -> list[StockMove]:
    """Hand ``quantity`` of ``part`` to the job: consumes the incident's reservation at
    ``depot`` first, the rest from available stock. Serial-tracked parts need the serials,
    which must be in stock at ``depot``. Records ``part_issued``.

    What came from available stock was the need a reservation of the same part at another
    depot was holding for: that many reserved units elsewhere are released (reason "Used
    from another depot", ``part_released``), so no unit stays held for a need already met.
    Returns the issue moves, then those release moves (``kind`` tells them apart)."""
    now = now or timezone.now()
    quantity = _positive(quantity)
    _require_parts_for(actor, incident)
    pairs = _lots(part, quantity, lots, required=True)
    with transaction.atomic():
        _lock_incident(incident, PARTS_STATUSES)
        _require_serials_at(part, depot, pairs)
        from_reservation = min(quantity, max(0, outstanding(incident, part, depot)["reserved"]))
        moves = _moves(
            part,
            depot,
            MoveKind.ISSUE,
            pairs,
            sign_on=-1,
            sign_res=-1,
            now=now,
            actor=actor,
            incident=incident,
            reason=note,
            reserved_total=from_reservation,
        )
        timeline.write(
            [
                _event(
                    incident,
                    EventKind.PART_ISSUED,
                    part,
                    depot,
                    quantity,
                    actor=actor,
                    now=now,
                    lots=pairs,
                    reason=note,
                    move=moves[0],
                )
            ]
        )
        _move_balance(
            part,
            depot,
            on_hand=-quantity,
            reserved=-from_reservation,
            now=now,
            requested=quantity - from_reservation,
        )
        moves += _release_held_elsewhere(
            incident, part, depot, quantity - from_reservation, actor=actor, now=now
        )
    return moves


def _release_held_elsewhere(
    incident, part, depot, quantity, *, actor: Actor, now
) -> list[StockMove]:
    """Release up to ``quantity`` of what ``incident`` holds of ``part`` at depots other
    than ``depot`` (the largest holdings first). Inside the issue's transaction."""
    if quantity <= 0:
        return []
    held = (
        StockMove.objects.filter(incident=incident, part=part)
        .exclude(depot=depot)
        .values("depot_id")
        .annotate(n=Sum("reserved_delta"))
        .filter(n__gt=0)
        .order_by("-n", "depot_id")
    )
    moves = []
    for row in held:
        if quantity <= 0:
            break
        take = min(quantity, row["n"])
        moves.append(
            _release(
                incident,
                part=part,
                depot=Depot.objects.get(pk=row["depot_id"]),
                quantity=take,
                actor=actor,
                now=now,
                reason=USED_ELSEWHERE,
            )
        )
        quantity -= take
    return moves


def return_part(
    incident: Incident,
    *,
    part: Part,
    depot: Depot,
    quantity: int,
    lots: Sequence[str] | None = None,
    actor: Actor,
    now: datetime | None = None,
    reason: str = "",
) -> list[StockMove]:
    """Take back into ``depot`` parts the job was issued and did not use (at most what it
    was issued net of earlier returns). Records ``part_returned``."""
    now = now or timezone.now()
    quantity = _positive(quantity)
    _require_parts_for(actor, incident)
    pairs = _lots(part, quantity, lots, required=part.tracking == Tracking.SERIAL)
    with transaction.atomic():
        _lock_incident(incident, tuple(Status))
        issued = outstanding(incident, part)["issued"]
        if quantity > issued:
            raise ValidationError(
                {
                    "quantity": [
                        _("Only %(n)s of %(part)s were issued to this incident.")
                        % {"n": issued, "part": part.sku}
                    ]
                }
            )
        if part.tracking == Tracking.SERIAL:
            sent = set(
                StockMove.objects.filter(
                    incident=incident, part=part, kind=MoveKind.ISSUE
                ).values_list("lot", flat=True)
            )
            stray = [lot for lot, _q in pairs if lot not in sent]
            if stray:
                raise ValidationError(
                    {"lots": [_("Not issued to this incident: %(s)s") % {"s": ", ".join(stray)}]}
                )
        moves = _moves(
            part,
            depot,
            MoveKind.RETURN,
            pairs,
            sign_on=1,
            sign_res=0,
            now=now,
            actor=actor,
            incident=incident,
            reason=reason,
        )
        timeline.write(
            [
                _event(
                    incident,
                    EventKind.PART_RETURNED,
                    part,
                    depot,
                    quantity,
                    actor=actor,
                    now=now,
                    lots=pairs,
                    reason=reason,
                    move=moves[0],
                )
            ]
        )
        _move_balance(part, depot, on_hand=quantity, now=now)
    return moves


def parts_for_incident(incident: Incident) -> list[dict]:
    """Per part x depot: reserved now and issued net of returns, for the incident page."""
    return parts_for_incidents([incident.pk])[incident.pk]


def parts_for_incidents(incident_ids: Sequence[int]) -> dict[int, list[dict]]:
    """``parts_for_incident`` for each of several incidents, in three queries in all."""
    rows = list(StockMove.objects.net_for_incidents(incident_ids))
    parts = Part.objects.in_bulk({r["part_id"] for r in rows})
    depots = Depot.objects.in_bulk({r["depot_id"] for r in rows})
    found: dict[int, list[dict]] = {pk: [] for pk in incident_ids}
    for r in rows:
        if r["reserved"] or r["issued"]:
            found[r["incident_id"]].append(
                {**r, "part": parts[r["part_id"]], "depot": depots[r["depot_id"]]}
            )
    return found


def default_use_depot(rows: Sequence[dict], team_depot_id: int | None) -> int | None:
    """Where a technician's "part used" takes stock from by default: the depot holding the
    job's reservation (the largest, if several; ``rows`` as ``net_for_incident`` gives
    them), else the job team's depot: using a reserved part there consumes the
    reservation."""
    held = [r for r in rows if r["reserved"] > 0]
    if held:
        return max(held, key=lambda r: (r["reserved"], -r["depot_id"]))["depot_id"]
    return team_depot_id


def team_depots(team_ids) -> dict[int, int]:
    """The active depot of each team (the first in the depots' order, if a team has
    several)."""
    found: dict[int, int] = {}
    for depot_id, team_id in Depot.objects.filter(team_id__in=team_ids, is_active=True).values_list(
        "pk", "team_id"
    ):
        found.setdefault(team_id, depot_id)
    return found


def set_reorder_levels(
    balance: StockBalance,
    *,
    reorder_point: int,
    reorder_quantity: int,
    actor: Actor,
    now: datetime | None = None,
) -> StockBalance:
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    if reorder_point < 0 or reorder_quantity < 0:
        raise ValidationError(_("Reorder levels cannot be negative."))
    with transaction.atomic():
        StockBalance.objects.filter(pk=balance.pk).update(
            reorder_point=reorder_point, reorder_quantity=reorder_quantity
        )
        # A zero move re-evaluates the crossing under the row lock.
        _move_balance(balance.part, balance.depot, now=now)
    balance.refresh_from_db()
    return balance


# --- adjustments and transfers ------------------------------------------------------------


def adjust_stock(
    *,
    part: Part,
    depot: Depot,
    delta: int,
    reason: str,
    actor: Actor,
    lots: Sequence[str] | None = None,
    now: datetime | None = None,
    stocktake: Stocktake | None = None,
) -> list[StockMove]:
    """Correct on-hand by ``delta`` (positive or negative) with a reason: found, lost,
    damaged, an opening balance. Cannot take away reserved units."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the adjustment.")]})
    if not delta:
        raise ValidationError({"delta": [_("The adjustment cannot be zero.")]})
    pairs = _lots(part, abs(delta), lots, required=False)
    with transaction.atomic():
        if delta < 0:
            _require_serials_at(part, depot, pairs)
        moves = _moves(
            part,
            depot,
            MoveKind.ADJUST,
            pairs,
            sign_on=1 if delta > 0 else -1,
            sign_res=0,
            now=now,
            actor=actor,
            reason=reason,
            stocktake=stocktake,
        )
        _move_balance(part, depot, on_hand=delta, now=now, requested=-delta)
    return moves
