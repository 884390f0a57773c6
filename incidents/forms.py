from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import images
from core.roles import TECHNICIAN
from customers import phones
from customers.models import Customer
from incidents.models import (
    REPORT_LONG_TEXTS,
    TEXT_MAX_LENGTH,
    Category,
    DirectiveStatus,
    Grade,
    Incident,
)
from teams.models import Team


class ReportForm(forms.ModelForm):
    """The dispatcher's intake form. Field order follows the phone call."""

    reported_at = forms.DateTimeField(
        label=_("Customer reported at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now. A late log keeps the customer's time."),
    )
    grade = forms.ChoiceField(choices=Grade.choices, widget=forms.RadioSelect, label=_("Grade"))
    # The customer record picked from the phone lookup (customers/); empty: found or created
    # from the phone on save.
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.filter(merged_into=None),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Incident
        fields = [
            "customer_name",
            "customer_phone",
            "asset_ref",
            "title",
            "category",
            "grade",
            "description",
            "location",
            "latitude",
            "longitude",
            "impact_scope",
            "initial_handling",
            "channel",
            "service_mode",
            "external_ref",
            "reported_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "impact_scope": forms.Textarea(attrs={"rows": 2}),
            "initial_handling": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["category"].empty_label = None
        self.fields["title"].widget.attrs.update({"autofocus": False, "maxlength": 200})
        self.fields["customer_phone"].widget.attrs.update({"inputmode": "tel"})
        self.fields["latitude"].widget.attrs.update({"step": "any"})
        self.fields["longitude"].widget.attrs.update({"step": "any"})
        self.fields["customer_name"].widget.attrs["autofocus"] = True
        self.fields["asset_ref"].widget.attrs.update({"autocapitalize": "characters"})
        for name in REPORT_LONG_TEXTS:
            field = self.fields[name]
            field.max_length = TEXT_MAX_LENGTH
            field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(TEXT_MAX_LENGTH)

    def clean_customer_phone(self):
        # A new number must be a Chinese mobile or landline (customers.phones); a stored one
        # left as it was is not re-judged on edit.
        phone = (self.cleaned_data.get("customer_phone") or "").strip()
        if phone and (self.instance.pk is None or "customer_phone" in self.changed_data):
            phones.clean(phone)
        return phone

    def clean_reported_at(self):
        # The service refuses it too; here it is said as the dispatcher leaves the field.
        from incidents.services import CLOCK_SKEW

        reported_at = self.cleaned_data.get("reported_at")
        if reported_at and reported_at > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError(_("The report time cannot be in the future."))
        return reported_at

    def focus_first_error(self) -> None:
        """After a failed submit the cursor starts in the first field to correct (in the
        order of the form), marked for screen readers, instead of the caller's name."""
        invalid = [name for name in self.fields if name in self.errors]
        for name, field in self.fields.items():
            field.widget.attrs.pop("autofocus", None)
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
        if invalid:
            self.fields[invalid[0]].widget.attrs["autofocus"] = True

    def clean(self):
        data = super().clean()
        # The service's normalisation rules (one place), shown as form errors here.
        from incidents.services import normalize_fields

        try:
            normalize_fields(data)
        except forms.ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("title", "category", "grade", "reported_at"):
            data.pop(key, None)
        return data


class EditReportForm(ReportForm):
    """The report's facts after intake; grade and report time change through regrade."""

    customer = None  # type: ignore[assignment]  # linked at intake, moved by a merge

    class Meta(ReportForm.Meta):
        fields = [f for f in ReportForm.Meta.fields if f not in ("grade", "reported_at")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["grade"]
        del self.fields["reported_at"]

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Work content"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class DispatchForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, label=_("Technician")
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label=_("Team"))
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(groups__name=TECHNICIAN, is_active=True)
            .order_by("first_name", "username")
        )
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["team"].queryset = Team.objects.active()

    def clean(self):
        data = super().clean()
        if not data.get("assignee") and not data.get("team"):
            raise forms.ValidationError(_("Choose a technician or a team."))
        return data


class ArriveForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class RegradeForm(forms.Form):
    grade = forms.ChoiceField(choices=Grade.choices, label=_("New grade"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000)


class PhotoForm(forms.Form):
    # A plain FileField: core.images reads the header, refuses an image bomb before decoding
    # and stores the photo without its metadata (Django's ImageField would open it first).
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if upload.size > settings.MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is too large."))
        try:
            data, extension = images.clean_photo(upload.read(), field="image")
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["image"]) from exc
        return ContentFile(data, name=f"photo{extension}")


class DirectiveProgressForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "—"), *DirectiveStatus.choices], required=False, label=_("Status")
    )
    text = forms.CharField(
        label=_("Progress"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("text") and not data.get("status"):
            raise forms.ValidationError(_("Write the progress or change the status."))
        return data


ACTION_FORMS = {
    "confirm": ConfirmForm,
    "dispatch": DispatchForm,
    "arrive": ArriveForm,
    "resolve": ResolveForm,
    "close": CloseForm,
    "cancel": CancelForm,
    "regrade": RegradeForm,
}
