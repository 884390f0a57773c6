from django.db.models import Sum

from spareparts.models import StockBalance, StockMove


def assert_balances_match_ledger() -> None:
    """Every balance equals the sum of its ledger rows."""
    sums = {
        (r["part_id"], r["depot_id"]): (r["on"], r["res"])
        for r in StockMove.objects.values("part_id", "depot_id").annotate(
            on=Sum("on_hand_delta"), res=Sum("reserved_delta")
        )
    }
    for b in StockBalance.objects.all():
        assert (b.on_hand, b.reserved) == sums.get((b.part_id, b.depot_id), (0, 0)), b


def balance(part, depot) -> StockBalance:
    return StockBalance.objects.get(part=part, depot=depot)
