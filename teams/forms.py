"""Forms of the duty roster page (times are Asia/Shanghai wall-clock times)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teams.models import DutyShift, RosterOverride

WEEKDAYS = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


def _members_of(team):
    return (
        get_user_model().objects.filter(memberships__team=team).order_by("first_name", "username")
    )


def _member_field(team, label, *, required=True) -> PersonChoiceField:
    return PersonChoiceField(queryset=_members_of(team), label=label, required=required)


class _LocalDateTime(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


class RotationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Duty"), choices=DutyShift.Kind.choices)
    weekdays = forms.MultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    start_time = forms.TimeField(
        label=pgettext_lazy("roster time", "From"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=pgettext_lazy("roster time", "To"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("At or before the start: the shift ends the next day."),
    )
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    take_turns = forms.BooleanField(
        label=_("Members take turns weekly"),
        required=False,
        help_text=_("Off: every member is on duty on each shift."),
    )
    members = PeopleChoiceField(
        queryset=get_user_model().objects.none(),
        label=_("Members"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _members_of(team)  # type: ignore[attr-defined]

    def clean_weekdays(self):
        return "".join(sorted(self.cleaned_data["weekdays"]))


class OverrideForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RosterOverride.Kind.choices)
    starts_at = forms.DateTimeField(
        label=pgettext_lazy("roster time", "From"), widget=_LocalDateTime()
    )
    ends_at = forms.DateTimeField(
        label=pgettext_lazy("roster time", "Until"), widget=_LocalDateTime()
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"] = _member_field(team, _("Who is away"))
        self.fields["substitute"] = _member_field(team, _("Substitute (swap)"), required=False)
        self.order_fields(["kind", "user", "substitute", "starts_at", "ends_at", "reason"])


class ShiftForm(forms.Form):
    kind = forms.ChoiceField(label=_("Duty"), choices=DutyShift.Kind.choices)
    starts_at = forms.DateTimeField(
        label=pgettext_lazy("roster time", "From"), widget=_LocalDateTime()
    )
    ends_at = forms.DateTimeField(
        label=pgettext_lazy("roster time", "Until"), widget=_LocalDateTime()
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"] = _member_field(team, _("Who"))
        self.order_fields(["user", "kind", "starts_at", "ends_at"])
