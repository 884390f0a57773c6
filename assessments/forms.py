from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from assessments.models import ActionStatus, Drill, MeasureStep


class AssessmentForm(forms.Form):
    cause = forms.CharField(
        label=_("Cause analysis"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    customer_feedback = forms.CharField(
        label=_("Customer feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


def _owner_field():
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    field = forms.ModelChoiceField(queryset=users, label=_("Owner"))
    field.label_from_instance = lambda u: u.get_full_name() or u.username
    return field


class CorrectiveActionForm(forms.Form):
    finding = forms.CharField(
        label=_("Finding"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("Corrective action"), widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field()


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices, label=_("Status"))


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        label=_("How satisfied are you with our service?"),
        error_messages={"required": _("Choose 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SignOffForm(forms.Form):
    signer_name = forms.CharField(label=_("Customer's name"), required=False, max_length=120)
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    no_signature_reason = forms.CharField(
        label=_("No signature? Say why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TechnicianSignatureForm(forms.Form):
    signature = forms.CharField(required=False, widget=forms.HiddenInput)


class DrillForm(forms.ModelForm):
    scheduled_at = forms.DateTimeField(
        label=_("Date"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Drill
        fields = ["title", "scenario", "grade", "scheduled_at", "location", "teams", "participants"]
        widgets = {"scenario": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )
        self.fields["participants"].widget.attrs["size"] = 6
        self.fields["teams"].widget.attrs["size"] = 6


class MeasurementForm(forms.Form):
    step = forms.ChoiceField(choices=MeasureStep.choices, label=_("Step"))
    label = forms.CharField(label=_("What was measured"), required=False, max_length=200)
    target_minutes = forms.IntegerField(label=_("Target (minutes)"), required=False, min_value=1)
    measured_minutes = forms.DecimalField(
        label=_("Measured (minutes)"), required=False, min_value=0, decimal_places=1, max_digits=8
    )


MeasurementFormSet = forms.formset_factory(MeasurementForm, extra=0)


class DrillResultsForm(forms.Form):
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
