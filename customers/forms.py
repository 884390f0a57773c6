from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers import phones
from customers.models import Customer, Language


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Phone, exact name or customer number"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )


CONSENT_CHOICES = [
    ("", _("Not asked")),
    ("yes", _("Given")),
    ("no", _("Revoked")),
]


class CustomerForm(forms.ModelForm):
    """Name, language, WeChat id and consent; phones are added one at a time."""

    consent_choice = forms.ChoiceField(
        label=_("Consent to messages"), choices=CONSENT_CHOICES, required=False
    )
    add_phone = forms.CharField(
        label=_("Add a phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    class Meta:
        model = Customer
        fields = ["name", "language", "wechat_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = Language.choices  # type: ignore[attr-defined]
        consent = self.instance.consent
        self.initial["consent_choice"] = "" if consent is None else ("yes" if consent else "no")

    def clean_add_phone(self):
        phone = (self.cleaned_data.get("add_phone") or "").strip()
        if phone:
            phones.clean(phone)
        return phone

    @property
    def consent_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("consent_choice") or "")


class MergeForm(forms.Form):
    source = forms.CharField(
        label=_("Duplicate: its customer number or phone"),
        max_length=40,
    )
