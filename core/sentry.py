"""Optional error reporting to Sentry (SENTRY_DSN; empty: off). Nothing about customers
leaves: no default PII (user details, IP addresses, cookies), no request bodies, no local
variables in stack frames, and ``scrub_event`` removes cookies and credentials headers and
masks phone-like numbers anywhere in the event as a last line."""

from typing import Any

from core.logging import incident_var, mask_phones, request_id_var

_SECRET_HEADERS = {"cookie", "authorization", "x-api-key", "x-csrftoken", "proxy-authorization"}


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_phones(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_send``: the event without bodies, cookies, secret headers, user
    details other than the id, and with phone-like numbers masked."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower() not in _SECRET_HEADERS
            }
    tags = event.setdefault("tags", {})
    if request_id_var.get():
        tags["request_id"] = request_id_var.get()
    if incident_var.get():
        tags["incident"] = incident_var.get()
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    modules = event.pop("modules", None)  # package versions: digits, never customer data
    event = _masked(event)
    if modules is not None:
        event["modules"] = modules
    return event


def init_sentry(*, dsn: str, environment: str, release: str) -> None:
    """Errors only: no performance tracing (no per-request cost)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,  # type: ignore[arg-type]
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
