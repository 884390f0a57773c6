"""Run inside ``manage.py shell`` on SQLite (tests/stack/test_sqlite_stack.py): report →
sweep past the confirm deadline → delivery, the portable write paths end to end."""

from datetime import timedelta

from core.db import accelerated
from escalation.models import EscalationFire, EscalationState
from escalation.services import escalate_due
from incidents.models import Category, EventKind, Incident
from incidents.services import report_incident
from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint
from notifications.services import deliver_due

assert not accelerated()
WebhookEndpoint.objects.create(
    name="ops", url="http://127.0.0.1:9/hook", events=["created", "escalated"]
)
category = Category.objects.get(slug="product-quality")
incident = report_incident(actor=None, title="Bus will not start", category=category, grade="II")
stored = Incident.objects.get(pk=incident.pk)
assert stored.number == incident.number, stored.number
assert EscalationState.objects.filter(incident=incident, target="confirm").exists()
fired = escalate_due(now=stored.confirm_deadline + timedelta(minutes=1))
assert fired >= 1, fired
assert EscalationFire.objects.filter(incident=incident).exists()
assert incident.events.filter(kind=EventKind.ESCALATED).exists()
pending = Notification.objects.filter(incident=incident, endpoint__isnull=False)
assert pending.filter(event="escalated").exists(), list(pending.values("event"))
tried = deliver_due(now=stored.confirm_deadline + timedelta(minutes=2))
assert tried >= 1, tried
assert DeliveryAttempt.objects.filter(notification__incident=incident).exists()
print("STACK OK", fired, tried)
