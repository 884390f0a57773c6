"""What messaging adds to the incident page (incidents.extensions.detail_panels): the
delivery log of the customer's messages, the address masked."""

from importlib import import_module

from django.conf import settings

from messaging.providers import mask


def delivery_log(request, incident):
    messages = list(incident.customer_messages.order_by("created_at", "id")[:200])
    if not messages:
        return None
    # Masked always; nothing at all for a reader who may not see this customer (privacy).
    hidden = import_module(settings.CUSTOMER_DATA_POLICY).customer_hidden(request.user, incident)
    for m in messages:
        m.masked_address = "" if hidden else mask(m.address)
    return "messaging/panel.html", {"customer_messages": messages}
