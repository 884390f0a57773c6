from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from assessments.models import SURVEY_DIMENSIONS, ActionStatus, CallOutcome, Drill, MeasureStep


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


def _stars(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        label=label,
        error_messages={"required": _("Choose 1 to 5 stars.")},
    )


class SurveyForm(forms.Form):
    """Seed 003's dimensions, each 1-5 stars, overall last; then a comment."""

    response_speed = _stars(_("How quickly did we respond?"))
    technician_attitude = _stars(_("How was the technician's attitude?"))
    repair_quality = _stars(_("How good was the repair?"))
    rating = _stars(_("Overall, how satisfied are you?"))
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def star_fields(self) -> list:
        return [self[name] for name in SURVEY_DIMENSIONS]


class CallForm(forms.Form):
    """Customer service records a return visit or a follow-up call."""

    outcome = forms.ChoiceField(
        label=_("Call outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect
    )
    satisfied = forms.TypedChoiceField(
        label=_("Is the customer satisfied?"),
        choices=[("", _("Not asked")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
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
