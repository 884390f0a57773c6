"""Domain errors of the spare-parts app. All are ``Conflict`` (409 in the API)."""

from django.utils.translation import gettext as _

from core.exceptions import Conflict


class StockError(Conflict):
    """The stock's current state does not allow the move."""


class NotEnoughStock(StockError):
    """Fewer units are available (or reserved, or on hand) than the move needs."""

    def __init__(self, part, depot, requested: int, available: int, *, what: str = "") -> None:
        self.part, self.depot = part, depot
        self.requested, self.available = requested, available
        message = what or _(
            "Not enough %(part)s at %(depot)s: %(available)s available, %(requested)s needed."
        ) % {
            "part": getattr(part, "sku", part),
            "depot": getattr(depot, "label", depot),
            "available": available,
            "requested": requested,
        }
        super().__init__(message)


class InvalidStockState(StockError):
    """A transfer, order, stocktake or request is not in a status that allows the action."""


class StocktakeNeedsConfirmation(StockError):
    """Posting would make adjustments larger than SPAREPARTS_STOCKTAKE_CONFIRM_OVER units:
    the poster must confirm them (``lines``: the stocktake lines concerned)."""

    def __init__(self, lines) -> None:
        self.lines = list(lines)
        super().__init__(
            _("%(n)s counted differences are large: confirm them before posting.")
            % {"n": len(self.lines)}
        )
