"""The tracking app's domain errors (409 in the API, a message on the page)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict


class TrackingError(Conflict):
    default_message = _("This is not allowed in the current state.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class EtaNotAllowed(TrackingError):
    default_message = _("The expected arrival is set before the technician is on site.")


class OutcomeAlreadyApproved(TrackingError):
    default_message = _("This complaint's outcome was already approved and sent.")
