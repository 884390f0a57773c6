from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict


class IncidentError(Conflict):
    """Base of the incident domain errors."""


class InvalidTransition(IncidentError):
    """The incident's current status does not allow the requested action (409 in the API)."""

    def __init__(self, action: str, status: str):
        self.action = action
        self.status = status
        super().__init__(str(self.message))

    @property
    def message(self) -> str:
        from incidents.models import Status

        return _("Cannot %(action)s an incident that is %(status)s.") % {
            "action": ACTION_LABELS.get(self.action, self.action),
            "status": Status(self.status).label.lower(),
        }


class DirectiveClosed(IncidentError):
    """Progress reported on a directive that is already done or cancelled."""

    def __init__(self, status_label: str):
        self.status_label = status_label
        super().__init__(str(self.message))

    @property
    def message(self) -> str:
        return _("This directive is already %(status)s.") % {
            "status": str(self.status_label).lower()
        }


ACTION_LABELS = {
    "confirm": _("confirm"),
    "dispatch": _("dispatch"),
    "arrive": _("mark arrival of"),
    "resolve": _("resolve"),
    "close": _("close"),
    "cancel": _("cancel"),
    "regrade": _("regrade"),
    "update": _("edit"),
    "note": _("add a note to"),
}
