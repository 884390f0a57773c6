"""Every stock movement: the spare-parts app's public API, split by topic.

``ledger`` (the balance row and the ledger: the one guarded UPDATE), ``stock`` (reserve,
release, issue, return, adjust), ``transfers``, ``purchasing`` (requests and orders),
``receipts`` (incoming inspection), ``stocktakes``, ``alerts`` (low stock), ``lifecycle``
(incident hooks, whole-unit replacement), ``trace`` (batch and serial traceability) and
``common`` (permissions, quantities, lots). Import from here: ``services.reserve_part(...)``.
"""

from spareparts.services.alerts import acknowledge_alert, notify_low_stock
from spareparts.services.common import (
    PARTS_STATUSES,
    can_move_parts_for,
    is_on_job,
    serial_on_hand,
)
from spareparts.services.ledger import BalanceChange, ensure_balances
from spareparts.services.lifecycle import (
    depots_for,
    on_incident_cancelled,
    on_incident_closed,
    on_unit_replacement,
    receive_failed_unit,
    replacement_part_for,
)
from spareparts.services.purchasing import (
    cancel_order,
    cancel_purchase_request,
    create_purchase_order,
    create_purchase_request,
    place_order,
    submit_purchase_request,
)
from spareparts.services.receipts import InspectedLine, receive_order
from spareparts.services.stock import (
    adjust_stock,
    default_use_depot,
    issue_part,
    outstanding,
    parts_for_incident,
    parts_for_incidents,
    release_all,
    release_part,
    reserve_part,
    return_part,
    set_reorder_levels,
    team_depots,
)
from spareparts.services.stocktakes import (
    cancel_stocktake,
    large_differences,
    open_stocktake,
    post_stocktake,
    record_counts,
)
from spareparts.services.trace import trace_lot
from spareparts.services.transfers import cancel_transfer, receive_transfer, ship_transfer

__all__ = [
    "PARTS_STATUSES",
    "BalanceChange",
    "InspectedLine",
    "acknowledge_alert",
    "adjust_stock",
    "can_move_parts_for",
    "cancel_order",
    "cancel_purchase_request",
    "cancel_stocktake",
    "cancel_transfer",
    "create_purchase_order",
    "create_purchase_request",
    "default_use_depot",
    "depots_for",
    "ensure_balances",
    "is_on_job",
    "issue_part",
    "large_differences",
    "notify_low_stock",
    "on_incident_cancelled",
    "on_incident_closed",
    "on_unit_replacement",
    "open_stocktake",
    "outstanding",
    "parts_for_incident",
    "parts_for_incidents",
    "place_order",
    "post_stocktake",
    "receive_failed_unit",
    "receive_order",
    "receive_transfer",
    "record_counts",
    "release_all",
    "release_part",
    "replacement_part_for",
    "reserve_part",
    "return_part",
    "serial_on_hand",
    "set_reorder_levels",
    "ship_transfer",
    "submit_purchase_request",
    "team_depots",
    "trace_lot",
]
