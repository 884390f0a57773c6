"""Named reads of stock."""

from django.db import models
from django.db.models import F, Q, Sum


class BalanceQuerySet(models.QuerySet):
    def low(self):
        """Balances whose available stock is below a (non-zero) reorder point."""
        return self.filter(reorder_point__gt=0, available__lt=F("reorder_point"))

    def for_stock_page(self):
        return self.select_related("part", "depot").only(
            "id",
            "on_hand",
            "reserved",
            "available",
            "reorder_point",
            "reorder_quantity",
            "low_since",
            "part__id",
            "part__sku",
            "part__name",
            "part__name_zh",
            "part__unit",
            "part__category",
            "part__tracking",
            "depot__id",
            "depot__code",
            "depot__name",
            "depot__name_zh",
        )

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(part__sku__icontains=text)
            | Q(part__name__icontains=text)
            | Q(part__name_zh__icontains=text)
        )


class StockMoveQuerySet(models.QuerySet):
    def net_for_incident(self, incident_id: int):
        """Per part x depot for one incident: what is still reserved and what was issued
        net of returns, from the ledger."""
        return self.net_for_incidents([incident_id])

    def net_for_incidents(self, incident_ids):
        """``net_for_incident`` for several incidents in one query (a technician's job
        page); each row also names its ``incident_id``."""
        return (
            self.filter(incident_id__in=incident_ids)
            .values("incident_id", "part_id", "depot_id")
            .annotate(
                reserved=Sum("reserved_delta"),
                issued=Sum("quantity", filter=Q(kind="issue"), default=0)
                - Sum("quantity", filter=Q(kind="return"), default=0),
            )
            .order_by("incident_id", "part_id", "depot_id")
        )
