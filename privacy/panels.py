"""What privacy adds to the incident page (incidents.extensions.detail_panels): nothing to
see; it writes the access log of the page (one INSERT when the customer is shown in clear)."""

from privacy import policy, services
from privacy.models import AccessKind


def detail_panel(request, incident):
    view = policy.customer_view(request.user, incident)
    # The page's customer line reads the same view (privacy.templatetags.privacy).
    incident._privacy_view = (request.user.pk, view)
    services.record_access(request.user, incident, kind=AccessKind.PAGE, view=view)
    return
