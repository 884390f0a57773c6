"""Traceability of batch and serial numbers."""

from __future__ import annotations

from spareparts.models import (
    StockMove,
)

# --- traceability ------------------------------------------------------------------------


def trace_lot(lot: str) -> dict:
    """Where a serial or batch number came from (supplier, order, receipt, inspection) and
    where it went (incidents, transfers, depots), oldest first."""
    lot = (lot or "").strip()
    moves = (
        list(
            StockMove.objects.filter(lot=lot)
            .select_related(
                "part",
                "depot",
                "incident",
                "user",
                "receipt_line__receipt__order__supplier",
                "transfer",
            )
            .order_by("created_at", "id")
        )
        if lot
        else []
    )
    receipts = [m.receipt_line for m in moves if m.receipt_line_id]
    incidents = {m.incident_id: m.incident for m in moves if m.incident_id}
    return {"lot": lot, "moves": moves, "receipts": receipts, "incidents": list(incidents.values())}
