"""Message texts, written in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override


def incident_url(incident_id: int) -> str:
    return settings.SITE_URL + reverse("incidents:detail", args=[incident_id])


def lateness(seconds: int) -> str:
    minutes = max(0, int(seconds)) // 60
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}


def _target_text(target: str) -> str:
    return {
        "confirm": _("not confirmed"),
        "arrive": _("nobody on site"),
        "resolve": _("not resolved"),
    }.get(target, target)


def escalation_message(step, language: str) -> tuple[str, str]:
    """(title, body) of an escalation occurrence or a Level I HQ alert."""
    incident = step.incident
    with override(language):
        values = {
            "number": incident.number or incident.pk, "level": step.level,
            "title": incident.title, "grade": incident.get_grade_display(),
            "what": _target_text(step.target), "late": lateness(step.late_seconds),
            "deadline": timezone.localtime(step.deadline).strftime("%Y-%m-%d %H:%M"),
            "url": incident_url(incident.pk),
        }
        if step.target == "report":
            title = _("%(grade)s incident %(number)s reported: HQ alert") % values
            body = _("%(title)s. A Level I incident starts the full emergency response. "
                     "Act now: %(url)s") % values
        elif step.is_reminder:
            title = _("Reminder: %(number)s still escalated (level %(level)s)") % values
            body = _("%(title)s: %(what)s, %(late)s late (deadline %(deadline)s). "
                     "Act now: %(url)s") % values
        else:
            title = _("%(number)s escalated to level %(level)s") % values
            body = _("%(title)s: %(what)s, %(late)s late (deadline %(deadline)s). "
                     "Act now: %(url)s") % values
    return title, body


def event_message(incident, event: str, language: str) -> tuple[str, str]:
    """(title, body) of an integration event."""
    with override(language):
        values = {"number": incident.number or incident.pk, "title": incident.title,
                  "status": incident.get_status_display(), "url": incident_url(incident.pk)}
        titles = {
            "created": _("Incident %(number)s created"),
            "changed": _("Incident %(number)s changed (%(status)s)"),
            "resolved": _("Incident %(number)s resolved"),
            "escalated": _("Incident %(number)s escalated"),
        }
        title = titles.get(event, titles["changed"]) % values
        body = _("%(title)s — %(url)s") % values
    return title, body
