from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import Grade
from teams.models import Team


class DashboardFilterForm(forms.Form):
    """The dashboard's filters: team and grades. Invalid values filter nothing."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.active().order_by("name"),
        required=False,
        label=_("Team"),
        empty_label=_("All teams"),
    )
    grade = forms.MultipleChoiceField(
        choices=Grade.choices,
        required=False,
        label=_("Grade"),
        widget=forms.CheckboxSelectMultiple,
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"team": None, "grades": []}
        return {"team": self.cleaned_data["team"], "grades": self.cleaned_data["grade"]}
