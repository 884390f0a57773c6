from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.models import SkillKind
from teams.models import PartnerService
from vehicles.models import Powertrain, VehicleModel


class SkillForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SkillKind.choices)
    powertrain = forms.ChoiceField(
        label=_("Powertrain"), choices=[("", "—"), *Powertrain.choices], required=False
    )
    vehicle_model = forms.ModelChoiceField(
        label=_("Vehicle model"), queryset=VehicleModel.objects.all(), required=False
    )
    name = forms.CharField(label=_("Skill"), max_length=120, required=False)
    certificate = forms.CharField(label=_("Certificate number"), max_length=60, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day it is valid (required for the HV qualification)."),
    )


class ServiceAreaForm(forms.Form):
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
    )
    service_radius_km = forms.IntegerField(
        label=_("Service radius (km)"), min_value=1, max_value=2000, required=False
    )
    service_regions = forms.CharField(
        label=_("Service regions"),
        max_length=300,
        required=False,
        help_text=_("Comma-separated place names, e.g. Pudong, Minhang."),
    )
    partner_service = forms.ChoiceField(
        label=_("Partner service"), choices=[("", "—"), *PartnerService.choices], required=False
    )


class OutOfActionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
