from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of my notifications"), choices=settings.LANGUAGES
    )
    email_enabled = forms.BooleanField(label=_("Also send them by email"), required=False)
