from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict


class AssessmentError(Conflict):
    """Base of the assessment domain errors (409 in the API)."""

    default_message = _("This is not allowed in the current state.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotAssessable(AssessmentError):
    default_message = _("Only a resolved or closed incident can be assessed.")


class AlreadySubmitted(AssessmentError):
    default_message = _("This assessment has been submitted and can no longer be changed.")


class SurveyClosed(AssessmentError):
    """The survey exists but can no longer be answered (already answered, or expired)."""

    default_message = _("This survey can no longer be answered.")


class SignOffExists(AssessmentError):
    default_message = _("The sign-off of this incident has already been recorded.")


class TaskDone(AssessmentError):
    default_message = _("This call has already been recorded.")
