"""Run by test_sentry.py in its own process (Sentry's client is global): settings read
SENTRY_DSN and turn Sentry on; a request that fails is reported; then flush."""

import django

django.setup()

import sentry_sdk  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

# Through the WSGI application, as gunicorn calls it (Sentry hooks in there).
with override_settings(ROOT_URLCONF="tests.ops.urls", ALLOWED_HOSTS=["testserver"]):
    environ = (
        RequestFactory()
        .post(
            "/fails/",
            {"customer_name": "Zhang Wei", "customer_phone": "+86 138 0013 8000"},
            HTTP_X_REQUEST_ID="probe-request-0001",
            HTTP_AUTHORIZATION="Bearer secret-token-value",
            HTTP_COOKIE="customer=Zhang Wei 13800138000",
        )
        .environ
    )
    statuses = []
    get_wsgi_application()(environ, lambda status, headers, *a: statuses.append(status))
    assert statuses[0].startswith("500"), statuses
sentry_sdk.flush(timeout=10)
print("sent")
