"""Every field a person can see in the admin has a name of its own, marked for translation:
a field left to Django's default shows its Python name ("Next seq") on a Chinese page."""

from django.apps import apps
from django.utils.functional import Promise

OUR_APPS = {"incidents", "escalation", "notifications", "assessments", "spareparts", "teams"}
# Internal bookkeeping with no admin page of its own.
EXEMPT = {
    "accounts.ApiKey.key_hash",
    # Keyed hashes for exact search on encrypted fields (core/crypto.py), never shown.
    "incidents.Incident.customer_name_bidx",
    "incidents.Incident.customer_phone_bidx",
}


def test_every_field_of_our_models_has_a_translated_verbose_name():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and not field.auto_created
        and not isinstance(field.verbose_name, Promise)
        and f"{model._meta.label}.{field.name}" not in EXEMPT
    ]
    assert missing == []
