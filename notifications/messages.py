"""Message texts, written in the recipient's language."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

_PLACEHOLDER = 987654321


def incident_url(incident_id: int) -> str:
    # reverse() once per process: the sweep builds thousands of links per batch.
    global _DETAIL_URL
    if _DETAIL_URL is None:
        _DETAIL_URL = reverse("incidents:detail", args=[_PLACEHOLDER])
    return settings.SITE_URL + _DETAIL_URL.replace(str(_PLACEHOLDER), str(incident_id))


_DETAIL_URL: str | None = None


def lateness(seconds: int, language: str | None = None) -> str:
    texts = _texts(language or get_language() or settings.LANGUAGE_CODE)
    minutes = max(0, int(seconds)) // 60
    if minutes < 60:
        return texts["min"] % {"m": minutes}
    return texts["h_min"] % {"h": minutes // 60, "m": minutes % 60}


@lru_cache(maxsize=8)
def _texts(language: str) -> dict:
    """The translated message templates of ``language``, looked up once per process: the
    sweep formats thousands of messages per batch."""
    from incidents.models import Grade

    with override(language):
        return {
            "min": _("%(m)d min"),
            "h_min": _("%(h)d h %(m)02d min"),
            "what": {
                "confirm": _("not confirmed"),
                "arrive": _("nobody on site"),
                "resolve": _("not resolved"),
            },
            "grades": {g.value: str(g.label) for g in Grade},
            "report_title": _("%(grade)s incident %(number)s reported: HQ alert"),
            "report_body": _(
                "%(title)s. A Level I incident starts the full emergency response. Act now: %(url)s"
            ),
            "reminder_title": _("Reminder: %(number)s still escalated (level %(level)s)"),
            "title": _("%(number)s escalated to level %(level)s"),
            "body": _(
                "%(title)s: %(what)s, %(late)s late (deadline %(deadline)s). Act now: %(url)s"
            ),
        }


def escalation_message(step, language: str) -> tuple[str, str]:
    """(title, body) of an escalation occurrence or a Level I HQ alert."""
    incident = step.incident
    texts = _texts(language)
    values = {
        "number": incident.number or incident.pk,
        "level": step.level,
        "title": incident.title,
        "grade": texts["grades"].get(incident.grade, incident.grade),
        "what": texts["what"].get(step.target, step.target),
        "late": lateness(step.late_seconds, language),
        "deadline": timezone.localtime(step.deadline).strftime("%Y-%m-%d %H:%M"),
        "url": incident_url(incident.pk),
    }
    if step.target == "report":
        return texts["report_title"] % values, texts["report_body"] % values
    title = texts["reminder_title" if step.is_reminder else "title"] % values
    return title, texts["body"] % values


def event_message(incident, event: str, language: str) -> tuple[str, str]:
    """(title, body) of an integration event."""
    with override(language):
        values = {
            "number": incident.number or incident.pk,
            "title": incident.title,
            "status": incident.get_status_display(),
            "url": incident_url(incident.pk),
        }
        titles = {
            "created": _("Incident %(number)s created"),
            "changed": _("Incident %(number)s changed (%(status)s)"),
            "resolved": _("Incident %(number)s resolved"),
            "escalated": _("Incident %(number)s escalated"),
        }
        title = titles.get(event, titles["changed"]) % values
        body = _("%(title)s — %(url)s") % values
    return title, body
