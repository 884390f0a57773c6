"""Balance rows are created with their part or depot, never on first use (see services)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from spareparts.models import Depot, Part


@receiver(post_save, sender=Part, dispatch_uid="spareparts_part_balances")
def _part_balances(sender, instance: Part, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from spareparts.services import ensure_balances

        ensure_balances(parts=[instance])


@receiver(post_save, sender=Depot, dispatch_uid="spareparts_depot_balances")
def _depot_balances(sender, instance: Depot, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from spareparts.services import ensure_balances

        ensure_balances(depots=[instance])
