"""Signals sent after commit, for side effects other apps attach (notifications, webhooks).

Receivers must not raise; they run after the transaction that wrote the change committed.
"""

from django.dispatch import Signal

# kwargs: incident_id, event_id, kind
incident_event = Signal()
