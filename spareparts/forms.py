"""Forms of the spare-parts pages and panels. They validate input; services do the rest."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from spareparts.models import Depot, Part, StockMove, Supplier
from spareparts.services.stock import default_use_depot, team_depots

_UNSET = object()  # UsedForm: no default depot given


class PartField(forms.CharField):
    """A part by its SKU (typed or picked from the suggestions)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Part (SKU)"))
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"list": "part-skus", "autocomplete": "off", "placeholder": "SKU", "class": "mono"}
        )

    def clean(self, value):
        sku = (super().clean(value) or "").strip()
        if not sku and not self.required:
            return None  # an optional line left empty is no line at all
        part = Part.objects.filter(sku__iexact=sku, is_active=True).first()
        if part is None:
            raise forms.ValidationError(_("No active part has SKU “%(sku)s”."), params={"sku": sku})
        return part


def depot_field(**kwargs):
    return forms.ModelChoiceField(
        queryset=Depot.objects.filter(is_active=True),
        label=kwargs.pop("label", _("Depot")),
        **kwargs,
    )


def split_lots(text: str) -> list[str]:
    return [x for x in re.split(r"[\s,;\uff0c\uff1b]+", text or "") if x]


class LotsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Serial / batch numbers"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "Parts marked in the part list need them: one serial number per unit, or "
                "one batch number. Separate several with spaces or commas."
            ),
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "mono", "autocomplete": "off"})

    def clean(self, value):
        return split_lots(super().clean(value))


class ReserveForm(forms.Form):
    part = PartField()
    depot = depot_field()
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One suggestion list per form: several job cards share a page.
        self.datalist_id = f"skus-{self.prefix or 'part'}"
        self.fields["part"].widget.attrs["list"] = self.datalist_id


class IssueForm(ReserveForm):
    lots = LotsField()


class ReturnForm(IssueForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReleaseForm(forms.Form):
    part = forms.ModelChoiceField(queryset=Part.objects.all())
    depot = forms.ModelChoiceField(queryset=Depot.objects.all())


class UsedForm(IssueForm):
    """A technician records a part used on the job (issued from the chosen depot).

    ``default_depot`` is the depot offered first; without it the form works it out for
    ``incident`` (a page of job cards passes it, read for all of them at once)."""

    def __init__(self, *args, incident=None, default_depot=_UNSET, **kwargs):
        super().__init__(*args, **kwargs)
        if default_depot is _UNSET and incident is not None:
            default_depot = self._default_depot(incident)
        if default_depot is not _UNSET:
            self.fields["depot"].initial = default_depot
        self.fields["quantity"].widget.attrs.update({"inputmode": "numeric", "min": 1})

    @staticmethod
    def _default_depot(incident):
        rows = StockMove.objects.net_for_incident(incident.pk)
        home = team_depots([incident.team_id]).get(incident.team_id) if incident.team_id else None
        return default_use_depot(list(rows), home)


class TransferForm(forms.Form):
    part = PartField()
    from_depot = depot_field(label=_("From"))
    to_depot = depot_field(label=_("To"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    lots = LotsField()
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AdjustForm(forms.Form):
    depot = depot_field()
    delta = forms.IntegerField(label=_("Change (+/-)"))
    lots = LotsField()
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReorderForm(forms.Form):
    depot = depot_field()
    reorder_point = forms.IntegerField(label=_("Reorder point"), min_value=0)
    reorder_quantity = forms.IntegerField(label=_("Reorder quantity"), min_value=0)


class OrderForm(forms.Form):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.filter(is_active=True), label=_("Supplier")
    )
    depot = depot_field(label=_("Deliver to"))
    part = PartField(required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=0, required=False, max_digits=12, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("part") and not data.get("quantity"):
            self.add_error("quantity", _("Enter the quantity to order."))
        return data


class StocktakeForm(forms.Form):
    depot = depot_field()
    reason = forms.CharField(label=_("Purpose"), max_length=200, required=False)


class PostStocktakeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the adjustments"), max_length=200)
    # Set by the confirmation box that lists the large differences.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class TraceForm(forms.Form):
    q = forms.CharField(label=_("Serial or batch number"), max_length=64, required=False)


class ReceiptForm(forms.Form):
    """Incoming inspection of an order: per line ``accepted-<id>``, ``rejected-<id>``,
    ``reason-<id>``, ``lots-<id>`` (the order page's table), and the delivery note."""

    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            sku = line.part.sku
            self.fields[f"accepted-{line.pk}"] = forms.IntegerField(
                label=_("%(sku)s accepted") % {"sku": sku}, min_value=0, required=False
            )
            self.fields[f"rejected-{line.pk}"] = forms.IntegerField(
                label=_("%(sku)s rejected") % {"sku": sku}, min_value=0, required=False
            )
            self.fields[f"reason-{line.pk}"] = forms.CharField(max_length=200, required=False)
            self.fields[f"lots-{line.pk}"] = LotsField()

    def inspected(self) -> list[tuple]:
        """(line, accepted, rejected, reason, lots) of each line something was entered for."""
        d = self.cleaned_data
        rows = []
        for line in self.lines:
            accepted = d.get(f"accepted-{line.pk}") or 0
            rejected = d.get(f"rejected-{line.pk}") or 0
            if accepted or rejected:
                rows.append(
                    (line, accepted, rejected, d[f"reason-{line.pk}"], d[f"lots-{line.pk}"])
                )
        return rows
