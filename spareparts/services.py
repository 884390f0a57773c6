"""Every stock movement: the spare-parts app's public API.

Each function runs in one transaction and appends to the ledger (``StockMove``) and moves
the matching ``StockBalance`` row with ONE guarded UPDATE::

    UPDATE balance SET on_hand = on_hand + d_on, reserved = reserved + d_res
     WHERE part = p AND depot = d AND on_hand + d_on - reserved - d_res >= 0
                                  AND reserved + d_res >= 0
    RETURNING ...

Balance rows exist before anything moves against them (they are created with the part or
the depot), so there is no insert-on-first-use race: PostgreSQL has no gap locks, and two
"first" reservations that each insert a row could both succeed. The UPDATE takes the row
lock, re-checks the guard on the newest version, and of racing callers only those the stock
covers get a row back; the others get ``NotEnoughStock``. The ledger rows are written before
the UPDATE so the hot row is locked only for the UPDATE and the COMMIT.

Moves for an incident lock the incident row: reservations ``FOR SHARE`` (reservations for
different jobs never wait on each other, but a concurrent cancel waits for them and then
releases them), release/issue/return ``FOR NO KEY UPDATE`` (the ledger sums they check stay
true until they commit).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import OPEN_STATUSES, EventKind, Incident, ServiceMode, Status
from incidents.services import record_event
from spareparts.exceptions import InvalidStockState, NotEnoughStock
from spareparts.models import (
    Depot,
    DepotKind,
    LowStockAlert,
    MoveKind,
    OrderStatus,
    Part,
    PartCategory,
    PurchaseEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Receipt,
    ReceiptLine,
    RequestSource,
    RequestStatus,
    ReturnStatus,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    Tracking,
    Transfer,
    TransferStatus,
    UnitReturn,
)

log = logging.getLogger(__name__)

# Incidents may still use parts once resolved (the technician records them afterwards).
PARTS_STATUSES = (*OPEN_STATUSES, Status.RESOLVED)

_BALANCE = StockBalance._meta.db_table
_GUARDED_UPDATE = f"""
    UPDATE {_BALANCE}
       SET on_hand = on_hand + %s, reserved = reserved + %s, updated_at = %s
     WHERE part_id = %s AND depot_id = %s
       AND on_hand + %s - reserved - %s >= 0 AND reserved + %s >= 0
 RETURNING id, on_hand - reserved, reorder_point, reorder_quantity, low_since
"""  # noqa: S608 - the table name is ours, every value is a parameter

# The reservation hot path on PostgreSQL (server-side prepared): the incident's share lock
# and the ledger row in one statement; no row means the incident is not open.
_LOCK_AND_RECORD = f"""
    INSERT INTO {StockMove._meta.db_table}
           (part_id, depot_id, kind, quantity, on_hand_delta, reserved_delta, lot,
            incident_id, user_id, created_at, reason)
    SELECT %s, %s, 'reserve', %s, 0, %s, '', i.id, %s, %s, %s
      FROM {Incident._meta.db_table} AS i
     WHERE i.id = %s AND i.status = ANY(%s)
       FOR SHARE OF i
 RETURNING id
"""  # noqa: S608 - the table names are ours, every value is a parameter



# --- permissions ------------------------------------------------------------------------


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("You are not allowed to do this."))


def is_on_job(user, incident: Incident) -> bool:
    if incident.assignee_id == user.pk:
        return True
    return bool(incident.team_id and user.memberships.filter(team_id=incident.team_id).exists())


def can_move_parts_for(user, incident: Incident) -> bool:
    """Logistics and the desk reserve/issue/return for any job; a technician records the
    parts used on their own jobs."""
    if user is None:
        return True
    if user.has_perm("spareparts.reserve_part"):
        return True
    return user.has_perm("spareparts.record_parts_used") and is_on_job(user, incident)


def _require_parts_for(actor, incident: Incident) -> None:
    if not can_move_parts_for(actor, incident):
        raise PermissionDenied(_("You are not allowed to move parts for this incident."))


# --- the balance row ---------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceChange:
    balance_id: int
    available: int


def ensure_balances(*, parts: Iterable[Part] | None = None,
                    depots: Iterable[Depot] | None = None) -> int:
    """Create the missing balance rows for ``parts`` x every depot or ``depots`` x every
    part (idempotent). Runs when a part or depot is created, before any move can need it."""
    part_list = list(parts) if parts is not None else list(Part.objects.all())
    depot_list = list(depots) if depots is not None else list(Depot.objects.all())
    rows = [
        StockBalance(part=p, depot=d, reorder_point=p.default_reorder_point,
                     reorder_quantity=p.default_reorder_quantity)
        for p in part_list for d in depot_list
    ]
    created = StockBalance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(created)


def _move_balance(
    part: Part, depot: Depot, *, on_hand: int = 0, reserved: int = 0, now: datetime,
    requested: int = 0,
) -> BalanceChange:
    """The one guarded UPDATE. Raises NotEnoughStock when the guard refuses it."""
    with connection.cursor() as cursor:
        cursor.execute(
            _GUARDED_UPDATE,
            [on_hand, reserved, now, part.pk, depot.pk, on_hand, reserved, reserved],
        )
        row = cursor.fetchone()
    if row is None:
        current = StockBalance.objects.filter(part=part, depot=depot).values_list(
            "on_hand", "reserved").first()
        if current is not None and reserved < 0 and current[1] + reserved < 0:
            raise NotEnoughStock(part, depot, -reserved, current[1], what=_(
                "Only %(n)s of %(part)s are reserved at %(depot)s.")
                % {"n": current[1], "part": part.sku, "depot": depot.label})
        available = current[0] - current[1] if current else 0
        raise NotEnoughStock(part, depot, requested or abs(on_hand) or reserved, available)
    balance_id, available, reorder_point, reorder_quantity, low_since = row
    _follow_reorder_point(balance_id, part=part, depot=depot, available=available,
                          reorder_point=reorder_point, reorder_quantity=reorder_quantity,
                          low_since=low_since, now=now)
    return BalanceChange(balance_id, available)


def _follow_reorder_point(balance_id: int, *, part: Part, depot: Depot, available: int,
                          reorder_point: int, reorder_quantity: int, low_since,
                          now: datetime) -> None:
    """Flip ``low_since`` when available crossed the reorder point (either way)."""
    if not reorder_point:
        return
    if available < reorder_point and low_since is None:
        _raise_low_stock(balance_id, part=part, depot=depot, available=available,
                         reorder_point=reorder_point, reorder_quantity=reorder_quantity,
                         now=now)
    elif available >= reorder_point and low_since is not None:
        StockBalance.objects.filter(pk=balance_id, low_since__isnull=False,
                                    available__gte=F("reorder_point")).update(low_since=None)


def _moves(part: Part, depot: Depot, kind: str, lots: Sequence[tuple[str, int]], *,
           sign_on: int, sign_res: int, now: datetime, actor=None, incident=None,
           reason: str = "", reserved_total: int | None = None, **links) -> list[StockMove]:
    """Ledger rows for one move: one per serial or batch. ``reserved_total`` spreads a
    reservation change that differs from the quantity (an issue partly from stock)."""
    rows = []
    res_left = reserved_total
    for lot, qty in lots:
        res = qty if res_left is None else min(qty, res_left)
        if res_left is not None:
            res_left -= res
        rows.append(StockMove(
            part=part, depot=depot, kind=kind, quantity=qty, on_hand_delta=sign_on * qty,
            reserved_delta=sign_res * res, lot=lot, incident=incident, user=actor,
            created_at=now, reason=(reason or "")[:255], **links,
        ))
    return StockMove.objects.bulk_create(rows)


# --- lots (batch and serial numbers) ------------------------------------------------------


def _positive(quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity <= 0:
        raise ValidationError({"quantity": [_("Enter a quantity of at least 1.")]})
    return quantity


def _lots(part: Part, quantity: int, lots: Sequence[str] | None, *,
          required: bool) -> list[tuple[str, int]]:
    """(lot, quantity) pairs: one per serial, one batch, or one untracked line."""
    lots = [str(x).strip() for x in (lots or []) if str(x).strip()]
    if part.tracking == Tracking.SERIAL:
        if (required or lots) and (len(lots) != quantity or len(set(lots)) != len(lots)):
            raise ValidationError({"lots": [_(
                "%(part)s is tracked by serial number: give %(n)s different serial numbers."
            ) % {"part": part.sku, "n": quantity}]})
        return [(s, 1) for s in lots] if lots else [("", quantity)]
    if part.tracking == Tracking.BATCH:
        if len(lots) > 1 or (required and not lots):
            raise ValidationError({"lots": [_("%(part)s is tracked by batch: give one batch "
                                              "number.") % {"part": part.sku}]})
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
        raise ValidationError({"lots": [_("Not in stock at %(depot)s: %(serials)s") % {
            "depot": depot.label, "serials": ", ".join(missing)}]})


# --- incidents ---------------------------------------------------------------------------


def _lock_incident(incident: Incident, statuses, *, shared: bool) -> str:
    """Lock the incident row and return its status; raise if not in ``statuses``."""
    if shared and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT status FROM {Incident._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608
                [incident.pk],
            )
            row = cursor.fetchone()
        status = row[0] if row else None
    else:
        status = (Incident.objects.select_for_update(no_key=True).filter(pk=incident.pk)
                  .values_list("status", flat=True).first())
    if status not in statuses:
        raise InvalidStockState(_("Parts cannot be moved for an incident that is %(status)s.")
                                % {"status": Status(status).label if status else "?"})
    return status


def _event(incident: Incident, kind: str, part: Part, depot: Depot, quantity: int, *,
           actor, now: datetime, lots: Sequence[tuple[str, int]] = (), reason: str = "",
           move: StockMove | None = None) -> None:
    serials = [lot for lot, _q in lots if lot]
    record_event(
        incident, kind, actor=actor, now=now,
        data={"part": part.sku, "part_id": part.pk, "part_name": part.name,
              "depot": depot.code, "depot_id": depot.pk, "quantity": quantity,
              "lots": serials, "move": move.pk if move else None},
        text=f"{quantity} x {part.sku} {part.name} @ {depot.code}"
             + (f" ({', '.join(serials)})" if serials else "") + (f" — {reason}" if reason else ""),
    )


def outstanding(incident: Incident, part: Part, depot: Depot | None = None) -> dict:
    """What the ledger says ``incident`` holds of ``part``: reserved (at ``depot``) and issued
    net of returns (anywhere)."""
    moves = StockMove.objects.filter(incident=incident, part=part)
    reserved = moves.filter(depot=depot) if depot is not None else moves
    return {
        "reserved": reserved.aggregate(n=Sum("reserved_delta", default=0))["n"],
        "issued": (moves.filter(kind=MoveKind.ISSUE).aggregate(n=Sum("quantity", default=0))["n"]
                   - moves.filter(kind=MoveKind.RETURN)
                   .aggregate(n=Sum("quantity", default=0))["n"]),
    }


def reserve_part(incident: Incident, *, part: Part, depot: Depot, quantity: int, actor,
                 now: datetime | None = None, note: str = "") -> StockMove:
    """Reserve ``quantity`` of ``part`` at ``depot`` for an open incident.

    One guarded UPDATE of the pre-existing balance row; raises NotEnoughStock when fewer are
    available (nothing is written then). Records ``part_reserved`` on the timeline.
    """
    now = now or timezone.now()
    quantity = _positive(quantity)
    _require_parts_for(actor, incident)
    with transaction.atomic():
        if connection.vendor != "postgresql":
            _lock_incident(incident, OPEN_STATUSES, shared=True)
            return _reserve(incident, part=part, depot=depot, quantity=quantity, actor=actor,
                            now=now, note=note)
        move = _lock_and_record(incident, part=part, depot=depot, quantity=quantity,
                                actor=actor, now=now, note=(note or "")[:255])
        _event(incident, EventKind.PART_RESERVED, part, depot, quantity, actor=actor, now=now,
               reason=note, move=move)
        _move_balance(part, depot, reserved=quantity, now=now, requested=quantity)
    return move


def _lock_and_record(incident, *, part, depot, quantity, actor, now, note) -> StockMove:
    """The share lock on the open incident and the ledger row, in one prepared statement:
    a reservation is then three statements (this, the timeline event, the guarded UPDATE)
    before its COMMIT, which matters when many jobs race for one part."""
    with closing(connection.connection.cursor()) as cursor:
        cursor.execute(_LOCK_AND_RECORD, [
            part.pk, depot.pk, quantity, quantity, actor.pk if actor else None, now, note,
            incident.pk, list(OPEN_STATUSES)], prepare=True)
        found = cursor.fetchone()
    if found is None:
        _lock_incident(incident, OPEN_STATUSES, shared=True)  # raises, naming the status
        raise InvalidStockState(_("This incident is not open."))
    move = StockMove(pk=found[0], part=part, depot=depot, kind=MoveKind.RESERVE,
                     quantity=quantity, reserved_delta=quantity, incident=incident, user=actor,
                     created_at=now, reason=note)
    move._state.adding = False
    return move


def _reserve(incident, *, part, depot, quantity, actor, now, note="") -> StockMove:
    (move,) = _moves(part, depot, MoveKind.RESERVE, [("", quantity)], sign_on=0, sign_res=1,
                     now=now, actor=actor, incident=incident, reason=note)
    _event(incident, EventKind.PART_RESERVED, part, depot, quantity, actor=actor, now=now,
           reason=note, move=move)
    _move_balance(part, depot, reserved=quantity, now=now, requested=quantity)
    return move


def release_part(incident: Incident, *, part: Part, depot: Depot, quantity: int | None = None,
                 actor, now: datetime | None = None, reason: str = "") -> StockMove | None:
    """Give back (some of) what ``incident`` reserved of ``part`` at ``depot`` (all of it
    when ``quantity`` is None). Returns None when nothing was reserved."""
    now = now or timezone.now()
    _require_parts_for(actor, incident)
    with transaction.atomic():
        _lock_incident(incident, tuple(Status), shared=False)
        held = outstanding(incident, part, depot)["reserved"]
        quantity = held if quantity is None else _positive(quantity)
        if quantity <= 0:
            return None
        if quantity > held:
            raise ValidationError({"quantity": [_(
                "This incident holds only %(n)s reserved.") % {"n": held}]})
        return _release(incident, part=part, depot=depot, quantity=quantity, actor=actor,
                        now=now, reason=reason)


def _release(incident, *, part, depot, quantity, actor, now, reason="") -> StockMove:
    (move,) = _moves(part, depot, MoveKind.RELEASE, [("", quantity)], sign_on=0, sign_res=-1,
                     now=now, actor=actor, incident=incident, reason=reason)
    _event(incident, EventKind.PART_RELEASED, part, depot, quantity, actor=actor, now=now,
           reason=reason, move=move)
    _move_balance(part, depot, reserved=-quantity, now=now)
    return move


def release_all(incident: Incident, *, actor=None, now: datetime | None = None,
                reason: str = "") -> int:
    """Release every reservation ``incident`` still holds (on cancel and close). Runs inside
    the caller's transaction, which holds the incident's row lock."""
    now = now or timezone.now()
    held = [r for r in StockMove.objects.net_for_incident(incident.pk) if r["reserved"] > 0]
    parts = Part.objects.in_bulk({r["part_id"] for r in held})
    depots = Depot.objects.in_bulk({r["depot_id"] for r in held})
    for r in held:
        _release(incident, part=parts[r["part_id"]], depot=depots[r["depot_id"]],
                 quantity=r["reserved"], actor=actor, now=now, reason=reason)
    return len(held)


def issue_part(incident: Incident, *, part: Part, depot: Depot, quantity: int,
               lots: Sequence[str] | None = None, actor, now: datetime | None = None,
               note: str = "") -> list[StockMove]:
    """Hand ``quantity`` of ``part`` to the job: consumes the incident's reservation at
    ``depot`` first, the rest from available stock. Serial-tracked parts need the serials,
    which must be in stock at ``depot``. Records ``part_issued``."""
    now = now or timezone.now()
    quantity = _positive(quantity)
    _require_parts_for(actor, incident)
    pairs = _lots(part, quantity, lots, required=True)
    with transaction.atomic():
        _lock_incident(incident, PARTS_STATUSES, shared=False)
        _require_serials_at(part, depot, pairs)
        from_reservation = min(quantity, max(0, outstanding(incident, part, depot)["reserved"]))
        moves = _moves(part, depot, MoveKind.ISSUE, pairs, sign_on=-1, sign_res=-1, now=now,
                       actor=actor, incident=incident, reason=note,
                       reserved_total=from_reservation)
        _event(incident, EventKind.PART_ISSUED, part, depot, quantity, actor=actor, now=now,
               lots=pairs, reason=note, move=moves[0])
        _move_balance(part, depot, on_hand=-quantity, reserved=-from_reservation, now=now,
                      requested=quantity - from_reservation)
    return moves


def return_part(incident: Incident, *, part: Part, depot: Depot, quantity: int,
                lots: Sequence[str] | None = None, actor, now: datetime | None = None,
                reason: str = "") -> list[StockMove]:
    """Take back into ``depot`` parts the job was issued and did not use (at most what it
    was issued net of earlier returns). Records ``part_returned``."""
    now = now or timezone.now()
    quantity = _positive(quantity)
    _require_parts_for(actor, incident)
    pairs = _lots(part, quantity, lots, required=part.tracking == Tracking.SERIAL)
    with transaction.atomic():
        _lock_incident(incident, tuple(Status), shared=False)
        issued = outstanding(incident, part)["issued"]
        if quantity > issued:
            raise ValidationError({"quantity": [_(
                "Only %(n)s of %(part)s were issued to this incident.")
                % {"n": issued, "part": part.sku}]})
        if part.tracking == Tracking.SERIAL:
            sent = set(StockMove.objects.filter(incident=incident, part=part,
                                                kind=MoveKind.ISSUE).values_list("lot", flat=True))
            stray = [lot for lot, _q in pairs if lot not in sent]
            if stray:
                raise ValidationError({"lots": [_("Not issued to this incident: %(s)s")
                                                % {"s": ", ".join(stray)}]})
        moves = _moves(part, depot, MoveKind.RETURN, pairs, sign_on=1, sign_res=0, now=now,
                       actor=actor, incident=incident, reason=reason)
        _event(incident, EventKind.PART_RETURNED, part, depot, quantity, actor=actor, now=now,
               lots=pairs, reason=reason, move=moves[0])
        _move_balance(part, depot, on_hand=quantity, now=now)
    return moves


def parts_for_incident(incident: Incident) -> list[dict]:
    """Per part x depot: reserved now and issued net of returns, for the incident page."""
    rows = list(StockMove.objects.net_for_incident(incident.pk))
    parts = Part.objects.in_bulk({r["part_id"] for r in rows})
    depots = Depot.objects.in_bulk({r["depot_id"] for r in rows})
    return [
        {**r, "part": parts[r["part_id"]], "depot": depots[r["depot_id"]]}
        for r in rows if r["reserved"] or r["issued"]
    ]


# --- lifecycle hooks (registered in SparepartsConfig.ready) -------------------------------


def on_incident_cancelled(incident: Incident, *, actor, now: datetime) -> None:
    """Cancel releases every reservation and drops the pending failed-unit return."""
    release_all(incident, actor=actor, now=now, reason=_("Incident cancelled"))
    UnitReturn.objects.filter(incident=incident, status=ReturnStatus.OPEN).update(
        status=ReturnStatus.CANCELLED)


def on_incident_closed(incident: Incident, *, actor, now: datetime) -> None:
    """Whatever a closed job still holds reserved goes back to available stock."""
    release_all(incident, actor=actor, now=now, reason=_("Incident closed"))


def replacement_part_for(incident: Incident) -> Part | None:
    """The whole unit that replaces the customer's: the active replacement unit whose
    ``replaces_assets`` prefix is the longest match of the incident's VIN / serial."""
    asset = (incident.asset_ref or "").upper()
    units = Part.objects.filter(category=PartCategory.UNIT, is_active=True).exclude(
        replaces_assets="")
    matches = [u for u in units if asset.startswith(u.replaces_assets.upper())]
    return max(matches, key=lambda u: len(u.replaces_assets), default=None)


def depots_for(incident: Incident) -> list[Depot]:
    """Depots to take parts from, best first: the job's service centre, HQ, the rest."""
    depots = list(Depot.objects.filter(is_active=True))

    def rank(d: Depot):
        return (0 if incident.team_id and d.team_id == incident.team_id else
                1 if d.kind == DepotKind.HQ else 2, d.code)

    return sorted(depots, key=rank)


def on_unit_replacement(incident: Incident, *, actor, now: datetime) -> None:
    """Emergency whole-unit replacement: reserve the replacement unit at the nearest depot
    that has one and open the return of the failed unit. Once per incident; never blocks
    the incident's transition (no unit in stock becomes a draft purchase request)."""
    if incident.service_mode != ServiceMode.UNIT_REPLACEMENT:
        return
    if UnitReturn.objects.filter(incident=incident).exists():
        return
    part = replacement_part_for(incident)
    if part is None:
        record_event(incident, EventKind.NOTE, actor=None, now=now,
                     text=_("No replacement unit is configured for asset %(a)s.")
                     % {"a": incident.asset_ref or "—"})
        return
    depots = depots_for(incident)
    chosen = None
    for depot in depots:
        try:
            with transaction.atomic():  # a savepoint: a lost race tries the next depot
                _reserve(incident, part=part, depot=depot, quantity=1, actor=actor, now=now,
                         note=_("Whole-unit replacement"))
        except NotEnoughStock:
            continue
        chosen = depot
        break
    if chosen is None:
        home = depots[0] if depots else Depot.objects.first()
        if home is None:
            return
        _create_request(part=part, depot=home, quantity=1, source=RequestSource.JOB,
                        incident=incident, actor=None, now=now,
                        note=_("Replacement unit for %(n)s") % {"n": incident.number})
        record_event(incident, EventKind.NOTE, actor=None, now=now,
                     text=_("No %(part)s in stock: a purchase request was drafted.")
                     % {"part": part.sku})
    UnitReturn.objects.create(incident=incident, part=part, depot=chosen or depots[0],
                              serial=incident.asset_ref, opened_at=now)


def receive_failed_unit(unit_return: UnitReturn, *, actor, now: datetime | None = None
                        ) -> UnitReturn:
    """The failed unit arrived at the depot: the return is closed."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    updated = UnitReturn.objects.filter(pk=unit_return.pk, status=ReturnStatus.OPEN).update(
        status=ReturnStatus.RECEIVED, received_at=now, received_by=actor)
    if not updated:
        raise InvalidStockState(_("This return is not awaited any more."))
    unit_return.refresh_from_db()
    return unit_return


# --- low stock ---------------------------------------------------------------------------


def _raise_low_stock(balance_id: int, *, part: Part, depot: Depot, available: int,
                     reorder_point: int, reorder_quantity: int, now: datetime) -> None:
    """Available fell below the reorder point: ``low_since`` flips with a conditional
    UPDATE, so once per crossing there is one alert and one draft request."""
    flipped = StockBalance.objects.filter(
        pk=balance_id, low_since__isnull=True, reorder_point__gt=0,
        available__lt=F("reorder_point")).update(low_since=now)
    if not flipped:
        return  # a concurrent checker raised it, or stock came back meanwhile
    request = _create_request(
        part=part, depot=depot, quantity=max(reorder_quantity, reorder_point - available, 1),
        source=RequestSource.LOW_STOCK, actor=None, now=now,
    )
    alert = LowStockAlert.objects.create(balance_id=balance_id, available=available,
                                         reorder_point=reorder_point, created_at=now,
                                         request=request)
    transaction.on_commit(lambda: notify_low_stock(alert.pk))


def notify_low_stock(alert_id: int) -> None:
    """Tell logistics through the notification app when it is installed; the alert list on
    the stock page is the in-app fallback."""
    try:
        from notifications import services as notifications
    except ImportError:
        return
    notify = getattr(notifications, "notify_users", None)
    if notify is None:
        return
    alert = LowStockAlert.objects.select_related("balance__part", "balance__depot").get(
        pk=alert_id)
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    users = get_user_model().objects.filter(groups__name="logistics", is_active=True)
    part, depot = alert.balance.part, alert.balance.depot
    try:
        notify(users, kind="low_stock",
               text=f"{part.sku} {part.name} @ {depot.code}: {alert.available} "
                    f"< {alert.reorder_point}",
               url=reverse("spareparts:part", args=[part.pk]))
    except Exception:  # a notification must never break a stock move
        log.exception("low-stock notification failed for alert %s", alert_id)


def set_reorder_levels(balance: StockBalance, *, reorder_point: int, reorder_quantity: int,
                       actor, now: datetime | None = None) -> StockBalance:
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    if reorder_point < 0 or reorder_quantity < 0:
        raise ValidationError(_("Reorder levels cannot be negative."))
    with transaction.atomic():
        StockBalance.objects.filter(pk=balance.pk).update(
            reorder_point=reorder_point, reorder_quantity=reorder_quantity)
        # A zero move re-evaluates the crossing under the row lock.
        _move_balance(balance.part, balance.depot, now=now)
    balance.refresh_from_db()
    return balance


def acknowledge_alert(alert: LowStockAlert, *, actor, now: datetime | None = None) -> None:
    _require(actor, "spareparts.move_stock")
    LowStockAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now or timezone.now(), acknowledged_by=actor)


# --- adjustments and transfers ------------------------------------------------------------


def adjust_stock(*, part: Part, depot: Depot, delta: int, reason: str, actor,
                 lots: Sequence[str] | None = None, now: datetime | None = None,
                 stocktake: Stocktake | None = None) -> list[StockMove]:
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
        moves = _moves(part, depot, MoveKind.ADJUST, pairs, sign_on=1 if delta > 0 else -1,
                       sign_res=0, now=now, actor=actor, reason=reason, stocktake=stocktake)
        _move_balance(part, depot, on_hand=delta, now=now, requested=-delta)
    return moves


def ship_transfer(*, part: Part, from_depot: Depot, to_depot: Depot, quantity: int, actor,
                  lots: Sequence[str] | None = None, note: str = "",
                  now: datetime | None = None) -> Transfer:
    """Take stock out of ``from_depot``; it is in transit until received."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    quantity = _positive(quantity)
    if from_depot.pk == to_depot.pk:
        raise ValidationError({"to_depot": [_("Choose a different destination depot.")]})
    pairs = _lots(part, quantity, lots, required=part.tracking == Tracking.SERIAL)
    with transaction.atomic():
        _require_serials_at(part, from_depot, pairs)
        transfer = Transfer.objects.create(
            part=part, from_depot=from_depot, to_depot=to_depot, quantity=quantity,
            lots=[lot for lot, _q in pairs if lot], note=(note or "")[:255], shipped_by=actor,
            shipped_at=now,
        )
        _moves(part, from_depot, MoveKind.TRANSFER_OUT, pairs, sign_on=-1, sign_res=0, now=now,
               actor=actor, reason=note, transfer=transfer)
        _move_balance(part, from_depot, on_hand=-quantity, now=now, requested=quantity)
    return transfer


def _finish_transfer(transfer: Transfer, depot_attr: str, status: str, *, actor,
                     now: datetime) -> Transfer:
    with transaction.atomic():
        updated = Transfer.objects.filter(
            pk=transfer.pk, status=TransferStatus.IN_TRANSIT).update(
            status=status, received_by=actor, received_at=now)
        if not updated:
            raise InvalidStockState(_("This transfer is no longer in transit."))
        transfer.refresh_from_db()
        depot = getattr(transfer, depot_attr)
        pairs = [(lot, 1) for lot in transfer.lots] or [("", transfer.quantity)]
        if transfer.lots and transfer.part.tracking != Tracking.SERIAL:
            pairs = [(transfer.lots[0], transfer.quantity)]
        _moves(transfer.part, depot, MoveKind.TRANSFER_IN, pairs, sign_on=1, sign_res=0,
               now=now, actor=actor, transfer=transfer,
               reason=_("Transfer cancelled") if status == TransferStatus.CANCELLED else "")
        _move_balance(transfer.part, depot, on_hand=transfer.quantity, now=now)
    return transfer


def receive_transfer(transfer: Transfer, *, actor, now: datetime | None = None) -> Transfer:
    """The shipment arrived: into the destination's stock."""
    _require(actor, "spareparts.move_stock")
    return _finish_transfer(transfer, "to_depot", TransferStatus.RECEIVED, actor=actor,
                            now=now or timezone.now())


def cancel_transfer(transfer: Transfer, *, actor, now: datetime | None = None) -> Transfer:
    """The shipment came back: into the source's stock again."""
    _require(actor, "spareparts.move_stock")
    return _finish_transfer(transfer, "from_depot", TransferStatus.CANCELLED, actor=actor,
                            now=now or timezone.now())


# --- purchasing --------------------------------------------------------------------------


def _purchase_event(*, request=None, order=None, status: str, actor, now, text: str = ""):
    PurchaseEvent.objects.create(request=request, order=order, status=status, actor=actor,
                                 created_at=now, text=(text or "")[:255])


def _create_request(*, part, depot, quantity, source, actor, now, incident=None,
                    note: str = "") -> PurchaseRequest:
    request = PurchaseRequest.objects.create(
        part=part, depot=depot, quantity=quantity, source=source, incident=incident,
        note=(note or "")[:255], requested_by=actor, created_at=now,
    )
    _purchase_event(request=request, status=RequestStatus.DRAFT, actor=actor, now=now,
                    text=RequestSource(source).label)
    return request


def create_purchase_request(*, part: Part, depot: Depot, quantity: int, actor,
                            incident: Incident | None = None, note: str = "",
                            now: datetime | None = None) -> PurchaseRequest:
    """A draft request to buy ``quantity`` of ``part`` for ``depot``: from a job when
    ``incident`` is given, else by hand. (Low stock drafts its own.)"""
    now = now or timezone.now()
    if incident is None:
        _require(actor, "spareparts.manage_purchasing")
    else:
        _require_parts_for(actor, incident)
    quantity = _positive(quantity)
    source = RequestSource.JOB if incident else RequestSource.MANUAL
    with transaction.atomic():
        return _create_request(part=part, depot=depot, quantity=quantity, source=source,
                               incident=incident, actor=actor, now=now, note=note)


def _move_request(request: PurchaseRequest, frm: Sequence[str], to: str, *, actor, now,
                  text: str = "", **fields) -> PurchaseRequest:
    updated = PurchaseRequest.objects.filter(pk=request.pk, status__in=frm).update(
        status=to, **fields)
    if not updated:
        raise InvalidStockState(_("This purchase request cannot move to %(s)s.")
                                % {"s": RequestStatus(to).label})
    _purchase_event(request=request, status=to, actor=actor, now=now, text=text)
    request.refresh_from_db()
    return request


def submit_purchase_request(request: PurchaseRequest, *, actor,
                            now: datetime | None = None) -> PurchaseRequest:
    _require(actor, "spareparts.manage_purchasing")
    with transaction.atomic():
        return _move_request(request, [RequestStatus.DRAFT], RequestStatus.SUBMITTED,
                             actor=actor, now=now or timezone.now())


def cancel_purchase_request(request: PurchaseRequest, *, actor, reason: str = "",
                            now: datetime | None = None) -> PurchaseRequest:
    _require(actor, "spareparts.manage_purchasing")
    with transaction.atomic():
        return _move_request(request, [RequestStatus.DRAFT, RequestStatus.SUBMITTED],
                             RequestStatus.CANCELLED, actor=actor, now=now or timezone.now(),
                             text=reason)


def create_purchase_order(*, supplier, depot: Depot, lines: Sequence[tuple[Part, int, object]]
                          = (), requests: Sequence[PurchaseRequest] = (), actor,
                          note: str = "", now: datetime | None = None) -> PurchaseOrder:
    """A draft order to ``supplier`` delivering to ``depot``: explicit ``lines``
    (part, quantity, unit price) plus one line per request, which become ``ordered``."""
    now = now or timezone.now()
    _require(actor, "spareparts.manage_purchasing")
    if not lines and not requests:
        raise ValidationError(_("An order needs at least one line."))
    with transaction.atomic():
        order = PurchaseOrder.objects.create(supplier=supplier, depot=depot, created_by=actor,
                                             created_at=now, note=(note or "")[:255])
        for part, quantity, price in lines:
            PurchaseOrderLine.objects.create(order=order, part=part,
                                             quantity=_positive(quantity), unit_price=price or 0)
        for request in requests:
            line = PurchaseOrderLine.objects.create(
                order=order, part=request.part, quantity=request.quantity,
                unit_price=request.part.unit_cost)
            _move_request(request, [RequestStatus.DRAFT, RequestStatus.SUBMITTED],
                          RequestStatus.ORDERED, actor=actor, now=now, text=str(order),
                          order_line=line)
        _purchase_event(order=order, status=OrderStatus.DRAFT, actor=actor, now=now)
    return order


def _move_order(order: PurchaseOrder, frm: Sequence[str], to: str, *, actor, now,
                text: str = "", **fields) -> PurchaseOrder:
    updated = PurchaseOrder.objects.filter(pk=order.pk, status__in=frm).update(status=to,
                                                                              **fields)
    if not updated:
        raise InvalidStockState(_("This purchase order cannot move to %(s)s.")
                                % {"s": OrderStatus(to).label})
    _purchase_event(order=order, status=to, actor=actor, now=now, text=text)
    order.refresh_from_db()
    return order


def place_order(order: PurchaseOrder, *, actor, now: datetime | None = None) -> PurchaseOrder:
    now = now or timezone.now()
    _require(actor, "spareparts.manage_purchasing")
    with transaction.atomic():
        return _move_order(order, [OrderStatus.DRAFT], OrderStatus.PLACED, actor=actor,
                           now=now, placed_at=now)


def cancel_order(order: PurchaseOrder, *, actor, reason: str = "",
                 now: datetime | None = None) -> PurchaseOrder:
    _require(actor, "spareparts.manage_purchasing")
    with transaction.atomic():
        if order.receipts.exists():
            raise InvalidStockState(_("Goods were already received on this order."))
        return _move_order(order, [OrderStatus.DRAFT, OrderStatus.PLACED],
                           OrderStatus.CANCELLED, actor=actor, now=now or timezone.now(),
                           text=reason)


@dataclass
class InspectedLine:
    """What incoming inspection found for one order line."""

    line: PurchaseOrderLine
    accepted: int
    rejected: int = 0
    reason: str = ""
    lots: Sequence[str] = ()


def receive_order(order: PurchaseOrder, *, lines: Sequence[InspectedLine], actor,
                  note: str = "", now: datetime | None = None) -> Receipt:
    """Goods arrived and were inspected: accepted units go into the order's depot (one
    ledger row per serial or batch, linked to the receipt line, for traceability); rejected
    units are recorded with their reason and never enter stock. The order becomes partially
    or fully received."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if order.status not in (OrderStatus.PLACED, OrderStatus.PARTIAL):
            raise InvalidStockState(_("Only a placed order can be received."))
        receipt = Receipt.objects.create(order=order, received_by=actor, received_at=now,
                                         note=(note or "")[:255])
        for item in lines:
            _receive_line(order, receipt, item, actor=actor, now=now)
        if not receipt.lines.exists():
            raise ValidationError(_("Enter the quantities received."))
        left = order.lines.filter(accepted__lt=F("quantity") - F("rejected")).exists()
        _move_order(order, [order.status], OrderStatus.PARTIAL if left else OrderStatus.RECEIVED,
                    actor=actor, now=now, text=str(receipt))
    return receipt


def _receive_line(order, receipt, item: InspectedLine, *, actor, now) -> None:
    line = PurchaseOrderLine.objects.select_related("part").get(pk=item.line.pk, order=order)
    accepted, rejected = int(item.accepted or 0), int(item.rejected or 0)
    if accepted < 0 or rejected < 0:
        raise ValidationError(_("Quantities cannot be negative."))
    if not accepted and not rejected:
        return
    if accepted + rejected > line.outstanding:
        raise ValidationError(_("%(part)s: only %(n)s are still expected.")
                              % {"part": line.part.sku, "n": line.outstanding})
    reason = (item.reason or "").strip()
    if rejected and not reason:
        raise ValidationError(_("%(part)s: say why units were rejected.")
                              % {"part": line.part.sku})
    pairs = _lots(line.part, accepted, item.lots, required=line.part.tracking != Tracking.NONE
                  ) if accepted else []
    if line.part.tracking == Tracking.SERIAL:
        dupes = [lot for lot, _q in pairs if serial_on_hand(line.part, lot) > 0]
        if dupes:
            raise ValidationError(_("Already in stock: %(s)s") % {"s": ", ".join(dupes)})
    rline = ReceiptLine.objects.create(
        receipt=receipt, order_line=line, accepted=accepted, rejected=rejected,
        rejection_reason=reason[:255], lots=[lot for lot, _q in pairs if lot],
    )
    PurchaseOrderLine.objects.filter(pk=line.pk).update(
        accepted=F("accepted") + accepted, rejected=F("rejected") + rejected)
    if accepted:
        _moves(line.part, order.depot, MoveKind.RECEIVE, pairs, sign_on=1, sign_res=0, now=now,
               actor=actor, reason=str(order), receipt_line=rline)
        _move_balance(line.part, order.depot, on_hand=accepted, now=now)


# --- stocktakes --------------------------------------------------------------------------


def open_stocktake(*, depot: Depot, actor, parts: Iterable[Part] | None = None,
                   reason: str = "", now: datetime | None = None) -> Stocktake:
    """A count sheet for ``depot``: one line per part (all active parts by default) with
    the book quantity at this moment."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    with transaction.atomic():
        take = Stocktake.objects.create(depot=depot, created_by=actor, created_at=now,
                                        reason=(reason or "")[:255])
        balances = StockBalance.objects.filter(depot=depot, part__is_active=True)
        if parts is not None:
            balances = balances.filter(part__in=list(parts))
        StocktakeLine.objects.bulk_create(
            [StocktakeLine(stocktake=take, part_id=b.part_id, expected=b.on_hand)
             for b in balances.only("part_id", "on_hand")], batch_size=2000)
    return take


def record_counts(stocktake: Stocktake, counts: dict[int, int | None], *, actor) -> int:
    """Enter counted quantities by part id (None clears a count). Returns lines changed."""
    _require(actor, "spareparts.move_stock")
    if stocktake.status != StocktakeStatus.OPEN:
        raise InvalidStockState(_("This stocktake is closed."))
    changed = 0
    with transaction.atomic():
        for part_id, counted in counts.items():
            if counted is not None and int(counted) < 0:
                raise ValidationError(_("A count cannot be negative."))
            changed += StocktakeLine.objects.filter(stocktake=stocktake, part_id=part_id).update(
                counted=counted)
    return changed


def post_stocktake(stocktake: Stocktake, *, actor, reason: str,
                   now: datetime | None = None) -> list[StockMove]:
    """Turn every counted difference into an adjustment with ``reason``. The difference is
    counted - book quantity at opening, applied to today's balance (moves since the count
    are kept). Uncounted lines change nothing."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the adjustments.")]})
    moves: list[StockMove] = []
    with transaction.atomic():
        updated = Stocktake.objects.filter(pk=stocktake.pk, status=StocktakeStatus.OPEN).update(
            status=StocktakeStatus.POSTED, posted_at=now, reason=reason[:255])
        if not updated:
            raise InvalidStockState(_("This stocktake is closed."))
        lines = stocktake.lines.select_related("part").exclude(counted__isnull=True)
        for line in lines:
            if line.difference:
                moves += adjust_stock(part=line.part, depot=stocktake.depot,
                                      delta=line.difference, reason=f"{stocktake}: {reason}",
                                      actor=actor, now=now, stocktake=stocktake)
    stocktake.refresh_from_db()
    return moves


def cancel_stocktake(stocktake: Stocktake, *, actor) -> None:
    _require(actor, "spareparts.move_stock")
    if not Stocktake.objects.filter(pk=stocktake.pk, status=StocktakeStatus.OPEN).update(
            status=StocktakeStatus.CANCELLED):
        raise InvalidStockState(_("This stocktake is closed."))


# --- traceability ------------------------------------------------------------------------


def trace_lot(lot: str) -> dict:
    """Where a serial or batch number came from (supplier, order, receipt, inspection) and
    where it went (incidents, transfers, depots), oldest first."""
    lot = (lot or "").strip()
    moves = list(
        StockMove.objects.filter(lot=lot).select_related(
            "part", "depot", "incident", "user", "receipt_line__receipt__order__supplier",
            "transfer")
        .order_by("created_at", "id")
    ) if lot else []
    receipts = [m.receipt_line for m in moves if m.receipt_line_id]
    incidents = {m.incident_id: m.incident for m in moves if m.incident_id}
    return {"lot": lot, "moves": moves, "receipts": receipts,
            "incidents": list(incidents.values())}
