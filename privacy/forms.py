from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from privacy.models import Field
from privacy.services import REASON_MAX


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("Reveal"), choices=Field.choices, initial=Field.ALL)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("Why do you need it?")}),
    )


class PeriodForm(forms.Form):
    """The reveal log and the access report: a period and, optionally, one user."""

    start = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
    )
    user = forms.CharField(label=_("User"), required=False, max_length=150)

    def clean(self):
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end is before the start."))
        return data
