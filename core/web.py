"""The plumbing every app's pages and admin share: a refused service call said to the user
(as form errors or a message), the safe return URL, and the admin action that runs a
service on each selected row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.http import url_has_allowed_host_and_scheme

from core.exceptions import NOT_ALLOWED, DomainError

# What a service may refuse with; a view turns these into words, never a 500.
SERVICE_ERRORS = (DomainError, PermissionDenied, ValidationError)


def per_request(request, key: str, build: Callable[[], Any]) -> Any:
    """``build()`` once per request, kept on the request under ``key``: what every panel
    or template of a page needs (a page of job cards renders each card's panels, and each
    template rendered with the request runs the context processors again)."""
    memo = request.__dict__.setdefault("_per_request", {})
    if key not in memo:
        memo[key] = build()
    return memo[key]


def error_text(exc: Exception) -> str:
    """The refusal in the reader's language: a ValidationError's messages (not its repr),
    a domain error's or a PermissionDenied's own text."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    text = str(exc)
    if not text and isinstance(exc, PermissionDenied):
        return str(NOT_ALLOWED)
    return text or exc.__class__.__name__


def apply_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto ``form``: by field where the form has the field,
    else as a form-wide error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_errors_text(form, *, labels: bool = False) -> str:
    """A bound form's errors on one line, for a message on the page the user came from."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if labels and field in form.fields else ""
        parts += [f"{label}: {e}" if label else str(e) for e in errors]
    return " ".join(parts)


def run_service(request, call: Callable[[], Any], success: str) -> bool:
    """Call a service; say ``success`` or the refusal as a message. True when it worked."""
    try:
        call()
    except SERVICE_ERRORS as exc:
        messages.error(request, error_text(exc))
        return False
    messages.success(request, success)
    return True


def safe_next(request, default: str, *, field: str = "next") -> str:
    """Where to go back to: the posted (or queried) ``field`` if it is a local URL of this
    site, else ``next`` if that is, else ``default``. Never an open redirect."""
    for name in dict.fromkeys((field, "next")):
        target = request.POST.get(name) or request.GET.get(name) or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return default


def run_per_row(
    modeladmin,
    request,
    rows: Iterable,
    call: Callable[[Any], Any],
    *,
    done: Callable[[int], str],
    label: Callable[[Any], str] = str,
) -> int:
    """The admin action "do this to each selected row": call the service per row, then say
    how many were done in one line (``done(count)``) and each refused row with its label and
    the refusal's text. Returns the number done."""
    count, refused = 0, []
    for row in rows:
        try:
            call(row)
        except SERVICE_ERRORS as exc:
            refused.append(f"{label(row)}: {error_text(exc)}")
        else:
            count += 1
    if count:
        modeladmin.message_user(request, done(count), messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)
    return count
