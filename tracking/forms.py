from django import forms
from django.utils.translation import gettext_lazy as _


class EtaForm(forms.Form):
    eta = forms.DateTimeField(
        label=_("Expected arrival"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Give the expected arrival time.")},
    )


class ComplaintOutcomeForm(forms.Form):
    text = forms.CharField(
        label=_("Outcome for the customer"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the customer as written once you approve it."),
    )
