"""The demo's customer-data rows: reveals of each kind and one erased incident."""

import pytest
from django.core.management import call_command

from incidents.models import IncidentEvent
from privacy.models import AccessLog, Erasure, RevealLog


@pytest.mark.django_db
def test_the_demo_has_reveals_and_an_erased_incident(capsys):
    call_command("load_demo")
    assert RevealLog.objects.count() == 3
    assert set(RevealLog.objects.values_list("user__username", flat=True)) == {"legal", "logistics"}
    assert AccessLog.objects.filter(kind="reveal").count() == 3
    erasure = Erasure.objects.get()
    incident = erasure.incident
    assert (incident.customer_name, incident.customer_phone) == ("", "")
    assert IncidentEvent.objects.filter(
        incident=incident, data__said__0="Personal data erased."
    ).exists()
