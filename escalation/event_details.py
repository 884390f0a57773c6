"""What the timeline shows under an escalation step (see incidents.extensions)."""

from django.utils.translation import gettext as _

from escalation.models import Target
from incidents.extensions import choice_label, event_details
from incidents.models import EventKind


def escalated(event) -> str:
    data = event.data
    line = _("Step %(n)s") % {"n": data.get("level", "")}
    if data.get("target"):
        line += f" · {choice_label(Target, data['target'])}"
    if data.get("reminder"):
        line += f" · {_('reminder')}"
    return line


def register() -> None:
    event_details[EventKind.ESCALATED] = escalated
