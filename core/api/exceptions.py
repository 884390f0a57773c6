"""The one exception handler of the API: domain errors become status codes here only.

``core.exceptions.Conflict`` → 409 ``{"detail"}``; Django's ``ValidationError`` → 400
``{"field": [...]}`` (or ``{"detail"}`` when not about a field); Django's
``PermissionDenied`` → 403 and ``Http404`` → 404 (by DRF); 412, 422 and 429 (with
``Retry-After``) come from the exceptions below and DRF's ``Throttled``.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.exceptions import Conflict


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The object changed since you read it (If-Match does not match).")
    default_code = "precondition_failed"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was used with a different request.")
    default_code = "idempotency_key_reused"


class IdempotencyInFlight(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed.")
    default_code = "idempotency_in_flight"


def _validation_body(exc: DjangoValidationError) -> dict:
    if not hasattr(exc, "error_dict"):
        return {"detail": " ".join(exc.messages)}
    body: dict = {}
    for field, messages in exc.message_dict.items():
        if field == NON_FIELD_ERRORS:
            body["detail"] = " ".join(messages)
        else:
            body[field] = list(messages)
    return body


def api_exception_handler(exc, context):
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(_validation_body(exc), status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)
