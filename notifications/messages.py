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
    seconds = max(0, int(seconds))
    if seconds < 60:  # a sweep on time fires seconds after the deadline: not "0 min late"
        return texts["s"] % {"s": seconds}
    minutes = seconds // 60
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
            "s": _("%(s)d s"),
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
            "caught_up": _(
                "Escalation was not running for a while: %(n)s earlier alerts were merged "
                "into this one."
            ),
        }


def escalation_params(step) -> dict:
    """What an escalation message says, as data (stored with the notification)."""
    incident = step.incident
    return {
        "incident_id": incident.pk,
        "number": incident.number or str(incident.pk),
        "title": incident.title,
        "grade": incident.grade,
        "target": step.target,
        "level": step.level,
        "reminder": step.is_reminder,
        "late_seconds": step.late_seconds,
        "deadline": step.deadline.isoformat(),
        "superseded": len(getattr(step, "superseded", ()) or ()),
    }


def escalation_text(params: dict, language: str) -> tuple[str, str]:
    """(title, body) of an escalation occurrence or a Level I HQ alert, in ``language``."""
    from datetime import datetime

    texts = _texts(language)
    deadline = datetime.fromisoformat(params["deadline"])
    values = {
        "number": params["number"],
        "level": params["level"],
        "title": params["title"],
        "grade": texts["grades"].get(params["grade"], params["grade"]),
        "what": texts["what"].get(params["target"], params["target"]),
        "late": lateness(params["late_seconds"], language),
        "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
        "url": incident_url(params["incident_id"]),
    }
    if params["target"] == "report":
        return texts["report_title"] % values, texts["report_body"] % values
    title = texts["reminder_title" if params["reminder"] else "title"] % values
    body = texts["body"] % values
    if params.get("superseded"):
        body += " " + texts["caught_up"] % {"n": params["superseded"]}
    return title, body


def escalation_message(step, language: str) -> tuple[str, str]:
    """(title, body) of an escalation occurrence or a Level I HQ alert."""
    return escalation_text(escalation_params(step), language)


def event_params(incident, event: str) -> dict:
    return {
        "incident_id": incident.pk,
        "number": incident.number or str(incident.pk),
        "title": incident.title,
        "status": incident.status,
        "event": event,
    }


def event_text(params: dict, language: str) -> tuple[str, str]:
    """(title, body) of an integration event, in ``language``."""
    from incidents.models import Status

    with override(language):
        values = {
            "number": params["number"],
            "title": params["title"],
            "status": str(dict(Status.choices).get(params["status"], params["status"])),
            "url": incident_url(params["incident_id"]),
        }
        titles = {
            "created": _("Incident %(number)s created"),
            "changed": _("Incident %(number)s changed (%(status)s)"),
            "resolved": _("Incident %(number)s resolved"),
            "escalated": _("Incident %(number)s escalated"),
            "message_delivered": _("Incident %(number)s: customer message delivered"),
            "message_failed": _("Incident %(number)s: customer message failed"),
        }
        title = titles.get(params["event"], titles["changed"]) % values
        body = _("%(title)s — %(url)s") % values
    return title, body


def event_message(incident, event: str, language: str) -> tuple[str, str]:
    """(title, body) of an integration event."""
    return event_text(event_params(incident, event), language)


# Message id -> renderer(params, language). Other apps may add theirs (register()).
RENDERERS = {"escalation.step": escalation_text, "incident.event": event_text}


def register(message: str, renderer) -> None:
    RENDERERS[message] = renderer


def render(notification, language: str | None = None) -> tuple[str, str]:
    """(title, body) of ``notification`` in ``language`` (default: the active language);
    the text stored when it was written if it has no message id (or an unknown one)."""
    renderer = RENDERERS.get(notification.message)
    if renderer is None:
        return notification.title, notification.body
    try:
        return renderer(notification.params, language or get_language() or settings.LANGUAGE_CODE)
    except (KeyError, TypeError, ValueError):  # parameters of an older format
        return notification.title, notification.body
