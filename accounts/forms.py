from django import forms
from django.utils.translation import gettext_lazy as _


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the telematics platform."),
    )
    read_only = forms.BooleanField(
        label=_("Read-only"),
        required=False,
        help_text=_("The key can read but not change anything."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Leave empty for a key that does not expire."),
    )


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("The code is 6 digits."))
        return code
