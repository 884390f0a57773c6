"""The texts of a sync's answers, kept as message ids on ``SyncedAction.message`` and worded
in the reader's language when shown (the phone's list of actions not applied, the
incident page's field panel)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TEXTS = {
    "reassigned": _("The job was given to someone else meanwhile: this was not recorded."),
    "cancelled": _("The job was cancelled meanwhile: this was not recorded."),
    "resolved": _("The job was already resolved meanwhile: this was not recorded."),
    "closed": _("The job was already closed meanwhile: this was not recorded."),
    "not_allowed": _("The job's status no longer allows this: it was not recorded."),
    "signed": _("The job was already signed off: this was not recorded."),
    "stock": _("Not enough of this part at that depot: it was not recorded."),
}


def text(message: str, params: dict | None = None) -> str:
    template = TEXTS.get(message)
    if template is None:
        return message
    return str(template) % (params or {}) if params else str(template)
