from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from regulatory.models import ReportRule


class StartForm(forms.Form):
    rule = forms.ModelChoiceField(
        label=_("Rule"), queryset=ReportRule.objects.filter(is_active=True, on_flag=True)
    )
    occurred_at = forms.DateTimeField(
        label=_("Accident time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: the report time."),
    )
    severe = forms.BooleanField(label=_("Casualties or major social impact"), required=False)


class SevereForm(forms.Form):
    severe = forms.BooleanField(label=_("Casualties or major social impact"), required=False)


class ReportForm(forms.Form):
    """The report as filed: pre-filled from the incident, corrected by whoever files it."""

    vehicle = forms.CharField(label=_("Vehicle"), max_length=300, required=False)
    occurred_at = forms.CharField(label=_("Time of the accident"), max_length=40)
    place = forms.CharField(label=_("Place"), max_length=300)
    consequences = forms.CharField(
        label=_("Consequences (casualties, damage)"), widget=forms.Textarea, required=False
    )
    initial_cause = forms.CharField(label=_("Initial cause"), widget=forms.Textarea, required=False)
    reference = forms.CharField(label=_("Regulator's reference"), max_length=100, required=False)
