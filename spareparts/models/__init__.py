"""Spare parts: the catalogue, depots, per part x depot balances and the stock ledger.

The ledger (``StockMove``) is append-only and is the truth: every balance equals the sum of
its moves' deltas (``on_hand_delta`` and ``reserved_delta``). Balances are the fast read and
the row that concurrent reservations race on; their CHECK constraints make negative on-hand,
negative reserved and over-reservation impossible. Only ``spareparts.services`` writes them.

One module per topic; every model and choice is importable from ``spareparts.models``.
"""

from core.models import AppendOnlyError
from spareparts.models.catalogue import (
    UNIT_LABELS,
    Depot,
    DepotKind,
    Localised,
    Part,
    PartCategory,
    Supplier,
    Tracking,
)
from spareparts.models.purchasing import (
    LowStockAlert,
    OrderStatus,
    PurchaseEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Receipt,
    ReceiptLine,
    RequestSource,
    RequestStatus,
)
from spareparts.models.returns import ReturnStatus, UnitReturn
from spareparts.models.stock import (
    SYSTEM_REASONS,
    USED_ELSEWHERE,
    MoveKind,
    StockBalance,
    StockMove,
    reason_in_language,
)
from spareparts.models.stocktakes import Stocktake, StocktakeLine, StocktakeStatus
from spareparts.models.transfers import Transfer, TransferStatus

__all__ = [
    "SYSTEM_REASONS",
    "UNIT_LABELS",
    "USED_ELSEWHERE",
    "AppendOnlyError",
    "Depot",
    "DepotKind",
    "Localised",
    "LowStockAlert",
    "MoveKind",
    "OrderStatus",
    "Part",
    "PartCategory",
    "PurchaseEvent",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseRequest",
    "Receipt",
    "ReceiptLine",
    "RequestSource",
    "RequestStatus",
    "ReturnStatus",
    "StockBalance",
    "StockMove",
    "Stocktake",
    "StocktakeLine",
    "StocktakeStatus",
    "Supplier",
    "Tracking",
    "Transfer",
    "TransferStatus",
    "UnitReturn",
    "reason_in_language",
]
