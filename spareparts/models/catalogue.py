"""The catalogue: parts, depots (each with a team) and suppliers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BilingualNameMixin


class Localised(BilingualNameMixin, models.Model):
    name = models.CharField(_("name"), max_length=160)
    name_zh = models.CharField(_("Chinese name"), max_length=160, blank=True)

    class Meta:
        abstract = True


class PartCategory(models.TextChoices):
    BATTERY = "battery", _("Battery pack")
    CHARGER = "charger", _("Charger")
    CONTROLLER = "controller", _("Motor controller")
    TYRE = "tyre", _("Tyre")
    TOOL = "tool", _("Diagnostic tool")
    UNIT = "unit", _("Whole unit (replacement)")
    OTHER = "other", _("Other")


class Tracking(models.TextChoices):
    NONE = "none", _("No tracking")
    BATCH = "batch", _("By batch")
    SERIAL = "serial", _("By serial number")


# The usual units of measure, shown in the reader's language; any other unit as typed.
UNIT_LABELS = {
    "pcs": pgettext_lazy("unit of measure", "pcs"),
    "set": pgettext_lazy("unit of measure", "set"),
    "pair": pgettext_lazy("unit of measure", "pair"),
}


class Part(Localised):
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    category = models.CharField(
        _("category"), max_length=12, choices=PartCategory.choices, default=PartCategory.OTHER
    )
    unit = models.CharField(
        _("unit"), max_length=12, default="pcs", help_text=_("Unit of measure: pcs, set, pair …")
    )
    tracking = models.CharField(
        _("tracking"), max_length=8, choices=Tracking.choices, default=Tracking.NONE
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2, default=0)
    replaces_assets = models.CharField(
        _("replacement unit for assets starting with"),
        max_length=64,
        blank=True,
        help_text=_(
            "For whole units: an emergency unit-replacement job whose VIN / serial "
            "starts with this prefix gets this part reserved. Empty: not a "
            "replacement unit."
        ),
    )
    default_reorder_point = models.PositiveIntegerField(_("default reorder point"), default=0)
    default_reorder_quantity = models.PositiveIntegerField(_("default reorder quantity"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        permissions = [
            ("move_stock", _("Can receive, transfer and adjust stock")),
            ("reserve_part", _("Can reserve, issue and return parts for incidents")),
            ("record_parts_used", _("Can record parts used on own jobs")),
            ("manage_purchasing", _("Can manage purchase requests and orders")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tracking__in=["none", "batch", "serial"]), name="part_tracking_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.label}"

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, self.unit))


class DepotKind(models.TextChoices):
    HQ = "hq", _("HQ depot")
    SERVICE_CENTRE = "service_centre", _("Service-centre depot")


class Depot(Localised):  # noqa: DJ008 - __str__ is BilingualNameMixin's
    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=DepotKind.choices, default=DepotKind.SERVICE_CENTRE
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="depots",
        verbose_name=_("service centre"),
        help_text=_("The service centre this depot supplies first."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("depot")
        verbose_name_plural = _("depots")


class Supplier(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=160)
    contact = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name
