"""Escalation data in words, in the reader's language: step keys (``arrive:1``), chain
names, durations. Stored data stays codes and numbers; these render it when shown."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from escalation import seed
from escalation.models import Target
from incidents.models import Grade

# Clock kinds of the apps above (their own chains, e.g. a report owed to a regulator):
# code -> label, filled in their AppConfig.ready().
EXTRA_TARGETS: dict[str, object] = {}


def target_label(target: str) -> str:
    return str(dict(Target.choices).get(target) or EXTRA_TARGETS.get(target, target))


def step_label(target: str, seq: int, *, reminder: bool = False) -> str:
    """ "Arrive on site, step 1"; "Confirm, reminder (occurrence 4)"; the HQ alert."""
    if target == Target.REPORT:
        return _("HQ alerted on report")
    if reminder:
        return _("%(target)s, reminder (occurrence %(n)s)") % {
            "target": target_label(target),
            "n": seq,
        }
    return _("%(target)s, step %(n)s") % {"target": target_label(target), "n": seq}


def occurrences_label(target: str, first: int, last: int) -> str:
    return _("%(target)s, occurrences %(first)s–%(last)s") % {  # noqa: RUF001
        "target": target_label(target),
        "first": first,
        "last": last,
    }


def step_key_label(key: str, *, reminder: bool = False) -> str:
    """A notification's step key in words: ``confirm:2`` (escalation), ``created`` /
    ``confirm:1732851234.123456`` (integration events), ``low_stock:7``."""
    name, _sep, rest = key.partition(":")
    if (name in Target.values or name in EXTRA_TARGETS) and rest.isdigit():
        return step_label(name, int(rest), reminder=reminder)
    if name == "low_stock":
        return _("Low-stock alert")
    return pgettext("integration event", "Incident %(action)s") % {
        "action": ACTIONS.get(name, name)
    }


ACTIONS = {
    "created": pgettext("integration event", "created"),
    "report": pgettext("integration event", "created"),
    "resolved": pgettext("integration event", "resolved"),
    "resolve": pgettext("integration event", "resolved"),
}


def duration(seconds) -> str:
    """Seconds in units: "45 s", "16 min", "1 h", "1 h 05 min", "1 d 1 h"."""
    try:
        total = max(0, round(float(seconds)))
    except (TypeError, ValueError):
        return ""
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    values = {"d": days, "h": hours, "m": minutes, "s": secs}
    if days:
        text = pgettext("duration", "%(d)d d %(h)d h") if hours else pgettext("duration", "%(d)d d")
    elif hours:
        text = (
            pgettext("duration", "%(h)d h %(m)02d min")
            if minutes
            else pgettext("duration", "%(h)d h")
        )
    elif minutes:
        text = pgettext("duration", "%(m)d min")
    else:
        text = pgettext("duration", "%(s)d s")
    return text % values


def _default_chain_names() -> dict[str, tuple[str, str]]:
    return {name: (grade, target) for name, grade, target, *_rest in seed.default_chains()}


DEFAULT_CHAIN_NAMES = _default_chain_names()


def chain_name(name: str) -> str:
    """A seeded chain's name in the reader's language; a name an administrator typed is
    shown as typed."""
    if name not in DEFAULT_CHAIN_NAMES:
        return name
    grade, target = DEFAULT_CHAIN_NAMES[name]
    grade_label = str(dict(Grade.choices).get(grade, grade))
    if target == Target.REPORT:
        return _("%(grade)s: alert HQ on report") % {"grade": grade_label}
    return _("%(grade)s: missed %(target)s") % {
        "grade": grade_label,
        "target": target_label(target),
    }


def reminders(n: int) -> str:
    return ngettext("%(n)d reminder", "%(n)d reminders", n) % {"n": n}
