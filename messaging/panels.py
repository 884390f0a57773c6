"""What messaging adds to the incident page (incidents.extensions.detail_panels): the
delivery log of the customer's messages, the address masked."""

from messaging.providers import mask


def delivery_log(request, incident):
    messages = list(incident.customer_messages.order_by("created_at", "id")[:200])
    if not messages:
        return None
    for m in messages:
        m.masked_address = mask(m.address)
    return "messaging/panel.html", {"customer_messages": messages}
