"""Drop customers' names and phones from the diffs of "details changed" events written
before the timeline redacted them (incidents.timeline.redact_changes)."""

from django.db import migrations
from django.db.models import Q

PERSONAL_FIELDS = ("customer_name", "customer_phone")


def scrub(apps, schema_editor):
    IncidentEvent = apps.get_model("incidents", "IncidentEvent")
    events = IncidentEvent.objects.filter(kind="updated").filter(
        Q(data__changed__has_key="customer_name") | Q(data__changed__has_key="customer_phone")
    )
    for pk, data in events.values_list("pk", "data").iterator(chunk_size=500):
        changed = data.get("changed") or {}
        if all(changed.get(k) is None for k in PERSONAL_FIELDS):
            continue
        changed = {k: (None if k in PERSONAL_FIELDS else v) for k, v in changed.items()}
        IncidentEvent.objects.filter(pk=pk).update(data={**data, "changed": changed})


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("incidents", "0013_list_sort_indexes"),
    ]

    # The values are gone for good: going back leaves the events as they are.
    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
