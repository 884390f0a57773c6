"""Pagination for pages over large tables."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``cap``: counting every match of a broad filter
    over a million incidents costs more than the page itself. ``capped`` tells templates
    to show "10000+"."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
