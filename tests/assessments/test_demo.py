from django.core.management import call_command
from django.utils import timezone

from assessments.models import (
    Assessment,
    CorrectiveAction,
    Drill,
    SignOff,
    Survey,
    TechnicianSignOff,
)


def test_demo_holds_every_kind_of_assessment_row(db):
    call_command("load_demo", verbosity=0)
    now, today = timezone.now(), timezone.localdate()
    surveys = Survey.objects.all()
    assert surveys.filter(answered_at__isnull=False).exists()
    assert surveys.filter(answered_at__isnull=True, expires_at__gt=now).exists()  # pending
    assert set(Assessment.objects.values_list("status", flat=True)) == {"draft", "submitted"}
    actions = CorrectiveAction.objects.all()
    assert actions.filter(status="open", due_date__gte=today).exists()
    assert actions.filter(status__in=["open", "in_progress"], due_date__lt=today).exists()
    assert actions.filter(status="in_progress").exists()
    assert actions.filter(status="done", completed_at__isnull=False).exists()
    assert actions.filter(drill__isnull=False).exists()
    assert set(Drill.objects.values_list("status", flat=True)) >= {"done", "planned"}
    signed = TechnicianSignOff.objects.first()
    assert signed is not None and signed.signature
    assert SignOff.objects.filter(incident=signed.incident).exclude(signature="").exists()
    call_command("load_demo", verbosity=0)  # idempotent
    assert TechnicianSignOff.objects.count() == 1
