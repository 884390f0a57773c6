"""Forms of the incident list page: bulk actions on ticked rows, saved filters."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A page shows 50 rows; a hand-built request may not make the server loop over thousands.
MAX_BULK = 200
MAX_SAVED_FILTERS = 50


class IdListField(forms.Field):
    """Incident ids ticked on the list: ``ids=1&ids=2``, in the order they were shown."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick at least one incident."),
        "invalid": _("Enter incident numbers only."),
        "too_many": _("Pick at most %(max)d incidents at a time."),
    }

    def to_python(self, value) -> list[int]:
        ids: list[int] = []
        for item in value or []:
            try:
                pk = int(item)
            except (TypeError, ValueError):
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
            if pk not in ids:
                ids.append(pk)
        return ids

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > MAX_BULK:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": MAX_BULK}
            )


class BulkActionForm(forms.Form):
    """What to do with the ticked rows. Dispatch's technician/team are read by the
    incident page's DispatchForm, so both pages accept the same choices."""

    action = forms.ChoiceField(
        label=pgettext_lazy("bulk action", "Action"),
        choices=[
            ("confirm", pgettext_lazy("incident action", "Confirm")),
            ("dispatch", pgettext_lazy("incident action", "Dispatch")),
            ("close", pgettext_lazy("incident action", "Close")),
        ],
    )
    ids = IdListField(label=_("Incidents"))
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("saved filter", "Name"), max_length=60, strip=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        saved = self.user.saved_incident_filters
        if saved.count() >= MAX_SAVED_FILTERS and not saved.filter(name=name).exists():
            raise forms.ValidationError(
                _("You can keep at most %(max)d saved filters: delete one first."),
                params={"max": MAX_SAVED_FILTERS},
            )
        return name
