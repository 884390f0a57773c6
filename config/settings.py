"""Settings for the after-sales emergency incident system.

Everything that differs between machines comes from environment variables (listed in the
README). The defaults run the whole system with no servers: SQLite and kombu's filesystem
broker under ``var/``. ``DJANGO_ENV=production`` turns on the deployment hardening.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str
from core.crypto import DEV_BLIND_INDEX_KEY, DEV_FIELD_ENCRYPTION_KEY
from core.logging import logging_config
from core.sentry import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, production or test")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION and DJANGO_ENV != "test")
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-7f3a9c"  # noqa: S105

# Customer data encrypted at rest (core/crypto.py; README "Customer data encryption and key
# rotation"): the first key encrypts, every key decrypts; the blind index key hashes what
# exact search compares. Development and tests use the public keys of core/crypto.py.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY")
if PRODUCTION and not (FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY):
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set when DJANGO_ENV=production"
    )
if PRODUCTION and (
    FIELD_ENCRYPTION_KEYS[0] == DEV_FIELD_ENCRYPTION_KEY or BLIND_INDEX_KEY == DEV_BLIND_INDEX_KEY
):
    raise ImproperlyConfigured("the development encryption keys may not be used in production")
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [DEV_FIELD_ENCRYPTION_KEY]
BLIND_INDEX_KEY = BLIND_INDEX_KEY or DEV_BLIND_INDEX_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Failed logins counted per account and per address (accounts/lockout.py).
    "axes",
    # TOTP second factor for the roles in MFA_REQUIRED_ROLES (accounts/middleware.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "teams",
    "incidents",
    "spareparts",
    "assessments",
    "accounts",
    "escalation",
    "notifications",
    # Customer records: phones, language, consent; incidents link to them (issue 15).
    "customers",
    # The customer-message outbox and its channels: SMS, WeChat, email, console (issue 15).
    "messaging",
    # The customer's tracking page, ETAs, and return visits (issue 15).
    "tracking",
    # Vehicles by VIN, their models and the 三包 counters (docs/vehicles.md).
    "vehicles",
    # The technician's offline app: queued actions, positions, map links (issue 17).
    "field",
    # Dispatch recommendation: distance, skills, duty and load (issue 17).
    "dispatch",
    # Regulatory report clocks and telematics alarms (issue 16).
    "regulatory",
    # Customer data: masking by role, reveals, the access log, erasure and retention.
    "privacy",
    # The home page: each role's work, gathered from the apps listed above it.
    "home",
    # The demo organisation of `make run` (manage.py load_demo): above every other app.
    "demo",
]

MIDDLEWARE = [
    # X-Request-ID in, in the log context, out (core/middleware.py): first, so every answer
    # carries it.
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTTP latency by view for /metrics (core/metrics.py); after WhiteNoise: no static files.
    "core.middleware.HttpMetricsMiddleware",
    # Every dynamic answer is Cache-Control: no-store unless its view says otherwise.
    "accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # A multipart body longer than any photo: 413 before anything reads it (core/uploads.py).
    "core.uploads.UploadLimitMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After HtmxMiddleware: both read request.htmx.
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters are bound by the server, not quoted into the SQL text in Python, and a
    # statement run DB_PREPARE_THRESHOLD times on a connection becomes a prepared
    # statement. Behind PgBouncer (transaction mode) older than 1.21, set it to off.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": True,
            "prepare_threshold": env_int("DB_PREPARE_THRESHOLD", 5, minimum=0) or None,
        }
    )
    # Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator()) can
    # outlive the transaction's server connection: DB_DISABLE_SERVER_SIDE_CURSORS=1 there
    # (docs/operations.md, "Production topology").
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DB_DISABLE_SERVER_SIDE_CURSORS", False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Reference data (categories, policies, teams, chains, webhooks, role permissions) is
# cached per process; each process checks for changes at most this often (core.refcache).
REFDATA_RECHECK_SECONDS = env_int("REFDATA_RECHECK_SECONDS", 1, minimum=0)

# --- Auth ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if DJANGO_ENV == "test":
    # Hashing dominates test setup time; tests never need a slow hash.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# First the lockout check (django-axes), then ModelBackend with each user's permissions
# cached per process (core.refcache).
AUTHENTICATION_BACKENDS = ["core.backends.LockoutBackend", "core.backends.CachedModelBackend"]
# Password guessing (accounts/lockout.py): after AXES_FAILURE_LIMIT failed logins an account,
# and separately an address, is locked out for AXES_COOLOFF_MINUTES. Admins unlock in the
# admin (Axes > Access attempts) or with `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_VERBOSE = False
# Sessions: a desk session ends after SESSION_IDLE_MINUTES without activity (an HTMX GET,
# such as a list's polling, is not activity: accounts/middleware.py), and in any case after
# SESSION_COOKIE_AGE.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12, minimum=1) * 3600
# A second factor (TOTP, django-otp) for superusers and these roles; on by default only in
# production, so `make run`'s demo logs in with a password alone (accounts/middleware.py).
MFA_ENABLED = env_bool("MFA_ENABLED", default=PRODUCTION)
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", ["manager"])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "After-sales desk")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18N ------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Request bodies: form fields and JSON (a signature's data URL is under 700 KB) at most
# 2.5 MB in memory; an uploaded file past 2.5 MB is spooled to disk, and the upload views
# refuse a body longer than MAX_PHOTO_BYTES before reading it (core/images.py).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_560 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_560 * 1024
# Before Django's own: refuses a multipart body longer than MAX_PHOTO_BYTES unread.
FILE_UPLOAD_HANDLERS = [
    "core.images.BodyLimitUploadHandler",
    # A file past MAX_PHOTO_BYTES is not kept further; the form says it is too large.
    "core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
MAX_PHOTO_BYTES = env_int("MAX_PHOTO_BYTES", 12 * 1024 * 1024, minimum=1024)
# Image bombs: a photo or signature larger than this many pixels is refused from its header,
# before it is decoded (core/images.py; also Pillow's own limit).
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000, minimum=1_000_000)
# Production: uploads are checked by Django (incidents/media.py) and sent by the front server
# from this internal location (X-Accel-Redirect; the nginx snippet is in the README). Empty:
# Django streams the file itself.
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email -----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "aftersales@example.com")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ----------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # ETA tasks are only accelerators and never wait longer than this (see README).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600, minimum=60),
        # A web request that nudges a worker must never hang on an unreachable broker.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A worker restarts itself when a task stays reserved and unstarted this long (0: never),
# and the pool ends a task that runs longer than the time limit (docs/operations.md).
CELERY_WORKER_STUCK_SECONDS = env_int("CELERY_WORKER_STUCK_SECONDS", 30, minimum=0)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}
# Several beats may run; one holds the lease and schedules (core/beat.py,
# docs/high-availability.md). A standby takes over within this plus a third of it.
BEAT_LEASE_SECONDS = env_int("BEAT_LEASE_SECONDS", 15, minimum=6)

# --- Domain defaults (the database policy rows are seeded from these) ------------------
INCIDENT_CONFIRM_MINUTES = env_int("INCIDENT_CONFIRM_MINUTES", 30, minimum=1)
INCIDENT_NUMBER_PREFIX = env_str("INCIDENT_NUMBER_PREFIX", "AS")
# Escalation and notifications (docs/escalation.md).
ESCALATION_SWEEP_SECONDS = env_int("ESCALATION_SWEEP_SECONDS", 2, minimum=1)
ESCALATION_BATCH_SIZE = env_int("ESCALATION_BATCH_SIZE", 500, minimum=1)
# /readyz (core/health.py, docs/operations.md): not ready when the last sweep is older than
# READY_SWEEP_INTERVALS sweep intervals, a due step is this late, or a delivery is overdue.
READINESS_CHECKS = [
    "escalation.health.sweep_recent",
    "escalation.health.due_steps_on_time",
    "notifications.health.outbox_on_time",
]
READY_SWEEP_INTERVALS = 3
READY_ESCALATION_LATE_SECONDS = env_int("READY_ESCALATION_LATE_SECONDS", 30, minimum=1)
READY_OUTBOX_OVERDUE_SECONDS = env_int("READY_OUTBOX_OVERDUE_SECONDS", 300, minimum=1)
# GET /metrics (escalation/metrics.py) answers only with "Authorization: Bearer <this>".
METRICS_TOKEN = env_str("METRICS_TOKEN")

# --- The incident lifecycle (incidents/services/lifecycle.py) ---------------------------
# What each transition does besides its own status change and timeline event, in order.
# Every hook runs inside the transition's transaction, after the incident row (and, for
# "report", its directives and events) is written: its writes commit or roll back with the
# status change. A hook is ``(incident, *, actor, now) -> None`` (the TransitionHook
# protocol in incidents/services/hooks.py) and does nothing when it does not concern the
# incident. Resolved once per process (and again on override_settings).
INCIDENT_LIFECYCLE: dict[str, list[str]] = {
    "report": [
        "escalation.hooks.start_confirm_clock",  # the clock the sweep fires
        "escalation.hooks.alert_hq",  # Level I: HQ hears now, not at the deadline
        "spareparts.hooks.reserve_replacement_unit",  # whole-unit replacement jobs
        "notifications.hooks.integration_created",  # webhook outbox rows
        "regulatory.hooks.start_report_clocks",  # a category that owes reports to a regulator
        "tracking.hooks.tell_received",  # the customer: number, tracking link, service line
    ],
    "confirm": [
        "spareparts.hooks.reserve_replacement_unit",
        "escalation.hooks.confirm_clock_done",  # ends the confirm clock, starts arrive
        "notifications.hooks.integration_confirmed",
    ],
    "dispatch": [
        "spareparts.hooks.reserve_replacement_unit",
        "notifications.hooks.integration_dispatched",
        "tracking.hooks.tell_dispatched",  # the customer: technician's given name, ETA
        "field.hooks.alert_new_job",  # the technician hears of the new job (in-app, email)
    ],
    "arrive": [
        "escalation.hooks.arrive_clock_done",  # ends the arrive clock, starts resolve
        "notifications.hooks.integration_arrived",
        "tracking.hooks.tell_on_site",  # the customer: the technician is there
    ],
    "resolve": [
        "assessments.hooks.send_survey",  # the customer: resolved, with the survey link
        "escalation.hooks.stop_clocks",  # no more escalations for this incident
        "notifications.hooks.integration_resolved",
        "regulatory.hooks.free_alarm_keys",  # the next alarm of the key opens a new incident
    ],
    "close": [
        "spareparts.hooks.release_reservations",  # what the job still holds goes back
        "escalation.hooks.stop_clocks",
        "notifications.hooks.integration_closed",
        "regulatory.hooks.free_alarm_keys",
        "assessments.hooks.plan_return_visit",  # Level I/II: customer service calls back
    ],
    "cancel": [
        "spareparts.hooks.release_on_cancel",  # reservations and the failed-unit return
        "escalation.hooks.stop_clocks",
        "notifications.hooks.integration_cancelled",
        "regulatory.hooks.free_alarm_keys",
        "tracking.hooks.tell_cancelled",  # the customer: the report is cancelled
    ],
    "regrade": [
        "escalation.hooks.follow_new_grade",  # re-snapshot the running clocks' chains
        "notifications.hooks.integration_regraded",
    ],
    "update": ["notifications.hooks.integration_updated"],
}
# Checked on the locked row before a close; each raises ValidationError to refuse it.
INCIDENT_CLOSE_GUARDS: list[str] = ["assessments.hooks.assessment_submitted"]
# The PostgreSQL write accelerators (incidents/accel_pg.py, spareparts/services/
# reservation_pg.py, escalation/bulk_pg.py, notifications/delivery_pg.py): chosen in one
# place, core.db.accelerated(). Off, every database runs the portable ORM code.
WRITE_ACCELERATORS = env_bool("WRITE_ACCELERATORS", True)

NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 10, minimum=1)
NOTIFY_RETRY_CAP_SECONDS = env_int("NOTIFY_RETRY_CAP_SECONDS", 3600, minimum=1)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 10, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
# Webhook targets on loopback, private, link-local, multicast or reserved addresses are
# refused (SSRF) unless their host name or address is listed here.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])
CELERY_BEAT_SCHEDULE["escalation-sweep"] = {
    "task": "escalation.tasks.sweep",
    "schedule": float(ESCALATION_SWEEP_SECONDS),
    "options": {"expires": 30},
}
CELERY_BEAT_SCHEDULE["notifications-deliver-due"] = {
    "task": "notifications.tasks.deliver_due",
    "schedule": 5.0,
    "options": {"expires": 30},
}


# Customer messages (docs/messaging.md): SMS through "console" (logs what would be sent),
# "aliyun", "tencent" or "off"; WeChat when WECHAT_APP_ID is set. No SMS in the quiet hours
# (local time, MESSAGING_TIME_ZONE) but for the safety categories; at most so many SMS per
# phone per hour and per day (0: no limit); failed tries retried with backoff.
def _codes(name: str) -> dict[str, str]:
    """ "kind:language=code,kind=code" -> {"kind:language": "code", "kind": "code"}."""
    pairs = (item.partition("=") for item in env_list(name, []))
    return {k.strip(): v.strip() for k, _sep, v in pairs if v.strip()}


def _hours(name: str, default: str) -> tuple[float, float]:
    start, _sep, end = env_str(name, default).partition("-")
    try:
        return tuple(int(h) + int(m) / 60 for h, m in (t.split(":") for t in (start, end)))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must look like 22:00-08:00") from exc


MESSAGING_SMS_PROVIDER = env_str("MESSAGING_SMS_PROVIDER", "console")
if MESSAGING_SMS_PROVIDER not in {"console", "aliyun", "tencent", "off"}:
    raise ImproperlyConfigured("MESSAGING_SMS_PROVIDER must be console, aliyun, tencent or off")
MESSAGING_TIME_ZONE = env_str("MESSAGING_TIME_ZONE", "Asia/Shanghai")
MESSAGING_QUIET_HOURS = _hours("MESSAGING_QUIET_HOURS", "22:00-08:00")
MESSAGING_SAFETY_CATEGORIES = env_list("MESSAGING_SAFETY_CATEGORIES", ["safety-accident"])
MESSAGING_SMS_PER_PHONE_HOUR = env_int("MESSAGING_SMS_PER_PHONE_HOUR", 5, minimum=0)
MESSAGING_SMS_PER_PHONE_DAY = env_int("MESSAGING_SMS_PER_PHONE_DAY", 20, minimum=0)
MESSAGING_RETRY_BASE_SECONDS = env_int("MESSAGING_RETRY_BASE_SECONDS", 30, minimum=1)
MESSAGING_RETRY_CAP_SECONDS = env_int("MESSAGING_RETRY_CAP_SECONDS", 3600, minimum=1)
MESSAGING_MAX_ATTEMPTS = env_int("MESSAGING_MAX_ATTEMPTS", 8, minimum=1)
MESSAGING_TIMEOUT_SECONDS = env_int("MESSAGING_TIMEOUT_SECONDS", 5, minimum=1)
# The providers' inbound-reply (TD) callbacks carry no signature: their URL holds this secret.
MESSAGING_INBOUND_TOKEN = env_str("MESSAGING_INBOUND_TOKEN")
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com")
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET")
ALIYUN_SMS_SIGN_NAME = env_str("ALIYUN_SMS_SIGN_NAME")
ALIYUN_SMS_TEMPLATES = _codes("ALIYUN_SMS_TEMPLATES")
TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_SECRET_ID = env_str("TENCENT_SMS_SECRET_ID")
TENCENT_SMS_SECRET_KEY = env_str("TENCENT_SMS_SECRET_KEY")
TENCENT_SMS_APP_ID = env_str("TENCENT_SMS_APP_ID")
TENCENT_SMS_SIGN_NAME = env_str("TENCENT_SMS_SIGN_NAME")
TENCENT_SMS_TEMPLATES = _codes("TENCENT_SMS_TEMPLATES")
WECHAT_API_BASE = env_str("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_APP_ID = env_str("WECHAT_APP_ID")
WECHAT_APP_SECRET = env_str("WECHAT_APP_SECRET")
WECHAT_TEMPLATES = _codes("WECHAT_TEMPLATES")
# Our parameter name -> the subscription template's keyword ("number=character_string1").
WECHAT_FIELDS = _codes("WECHAT_FIELDS")
# Told when a customer message is delivered or finally fails (integration webhooks).
MESSAGING_OUTCOME_HOOKS = ["notifications.hooks.customer_message_outcome"]
CELERY_BEAT_SCHEDULE["messaging-deliver-due"] = {
    "task": "messaging.tasks.deliver_due",
    "schedule": 5.0,
    "options": {"expires": 30},
}
# Assessments: how long a survey link stays valid; how often an overdue action's owner is
# reminded.
SURVEY_VALID_DAYS = env_int("SURVEY_VALID_DAYS", 14, minimum=1)
# How long the periodic evaluation keeps each filter's figures, in seconds (0: computed on
# every request). The page says when its figures were computed.
EVALUATION_CACHE_SECONDS = env_int(
    "EVALUATION_CACHE_SECONDS", 0 if DJANGO_ENV == "test" else 300, minimum=0
)
CORRECTIVE_ACTION_REMINDER_HOURS = env_int("CORRECTIVE_ACTION_REMINDER_HOURS", 24, minimum=1)
CELERY_BEAT_SCHEDULE["assessments-remind-overdue-actions"] = {
    "task": "assessments.tasks.remind_overdue_actions",
    "schedule": 3600.0,
}
# Spare parts: a stocktake line counted more than this many units off the book asks the
# poster to confirm before the adjustments post (0: every difference).
SPAREPARTS_STOCKTAKE_CONFIRM_OVER = env_int("SPAREPARTS_STOCKTAKE_CONFIRM_OVER", 10, minimum=0)
CELERY_BEAT_SCHEDULE["accounts-purge-idempotency-records"] = {
    "task": "accounts.tasks.purge_idempotency_records",
    "schedule": 3600.0,
}
# Customers' personal data (names, phones, signatures, photos) of incidents closed or
# cancelled more than this many days ago is erased daily (privacy.services.erase_expired);
# 0 or empty: kept (the default).
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 0, minimum=0)
# Who sees customers in clear in the incidents' API and exports, and the access log they
# write: the privacy app's seam (incidents sits below it and names it only here).
CUSTOMER_DATA_POLICY = "privacy.seams"
CELERY_BEAT_SCHEDULE["privacy-erase-expired"] = {
    "task": "privacy.tasks.erase_expired",
    "schedule": 86400.0,
}
# Tracking, surveys and return visits (issue 15; docs/tracking.md): how long a tracking link
# works after closing; when the one survey reminder goes; what survey score opens a
# follow-up; when a Level I/II incident's return visit falls due; how long a customer
# task stays "due" before it shows as overdue; the service line the customer is given
# when no service centre is on the job (empty: the customer service group's phone).
TRACKING_LINK_DAYS = env_int("TRACKING_LINK_DAYS", 30, minimum=1)
TRACKING_POLL_SECONDS = env_int("TRACKING_POLL_SECONDS", 30, minimum=5)
SURVEY_REMINDER_HOURS = env_int("SURVEY_REMINDER_HOURS", 24, minimum=1)
SURVEY_LOW_SCORE = env_int("SURVEY_LOW_SCORE", 2, minimum=1)
RETURN_VISIT_DAYS = env_int("RETURN_VISIT_DAYS", 7, minimum=0)
CUSTOMER_TASK_GRACE_HOURS = env_int("CUSTOMER_TASK_GRACE_HOURS", 24, minimum=1)
SERVICE_LINE_PHONE = env_str("SERVICE_LINE_PHONE", "")
CELERY_BEAT_SCHEDULE["tracking-prompt-lapsed-etas"] = {
    "task": "tracking.tasks.prompt_lapsed_etas",
    "schedule": 60.0,
    "options": {"expires": 50},
}
CELERY_BEAT_SCHEDULE["assessments-remind-surveys"] = {
    "task": "assessments.tasks.remind_surveys",
    "schedule": 600.0,
    "options": {"expires": 500},
}

# --- Security (production) -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SILENCED_SYSTEM_CHECKS: list[str] = []

# Content-Security-Policy (django-csp), enforced: scripts only from our own origin (no inline
# script, no eval: htmx runs with allowEval off), no plugins, no framing, forms post only
# here. Style attributes stay allowed (style-src-attr): README "Content-Security-Policy".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        # data: for the TOTP enrolment QR (an SVG drawn by us) and the signature pad's preview.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Logs, errors (docs/operations.md) ---------------------------------------------------
# One JSON object per line in production (time, level, logger, message, request_id,
# incident), readable text elsewhere; phone-like numbers masked either way (core/logging.py).
LOGGING = logging_config(json=env_bool("LOG_JSON", PRODUCTION), level=env_str("LOG_LEVEL", "INFO"))
# django-axes logs every login at INFO; failures are what matter.
LOGGING["loggers"]["axes"] = {"level": "WARNING" if DJANGO_ENV == "test" else "INFO"}
# Survey tokens out of every line, query strings (searches, the caller lookup) out of access
# lines; runserver's access lines go through the same handler (core/redact.py).
LOGGING["filters"]["redact"] = {"()": "core.redact.RedactFilter"}
LOGGING["handlers"]["console"]["filters"].append("redact")
LOGGING["loggers"]["django.server"] = {"handlers": ["console"], "level": "INFO", "propagate": False}
# Errors to Sentry when SENTRY_DSN is set (core/sentry.py: no customer data is sent).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", DJANGO_ENV),
        release=env_str("SENTRY_RELEASE"),
    )


# --- REST API --------------------------------------------------------------------------
# docs/api.md lists these variables. Rates are "N/second|minute|hour|day" or "off".
def _rate(name: str, default: str) -> str | None:
    value = env_str(name, default).strip().lower()
    if value == "off":
        return None
    count, _sep, period = value.partition("/")
    if not (count.isdigit() and period[:1] in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(f"{name} must look like 100/minute or be off, got {value!r}")
    return value


API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
API_MAX_PAGE_SIZE = 200
API_IDEMPOTENCY_HOURS = env_int("API_IDEMPOTENCY_HOURS", 24, minimum=1)
API_KEY_TOUCH_SECONDS = env_int("API_KEY_TOUCH_SECONDS", 60, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.api.permissions.KeyScope"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.api.throttling.KeyRateThrottle",
        "accounts.api.throttling.AnonAddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "key": _rate("API_THROTTLE_KEY_RATE", "1200/minute"),
        "anon": _rate("API_THROTTLE_ANON_RATE", "60/minute"),
        # Wrong API keys per address (accounts.api.throttling.FailedKeyThrottle).
        "bad_key": _rate("API_THROTTLE_BAD_KEY_RATE", "10/minute"),
    },
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0, minimum=0),
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    # Bad JSON (nested thousands deep, lone surrogates) is a 400: core/api/parsers.py.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "After-sales emergency incident API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "DESCRIPTION": "Version 1 of the integration API. See docs/api.md.",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TeamKindEnum": "teams.models.TeamKind",
        "EventKindEnum": "incidents.models.EventKind",
        "IncidentStatusEnum": "incidents.models.Status",
        "GradeEnum": "incidents.models.Grade",
        "DirectiveStatusEnum": "incidents.models.DirectiveStatus",
        "AssessmentStatusEnum": "assessments.models.AssessmentStatus",
        "CorrectiveActionStatusEnum": "assessments.models.ActionStatus",
        "DrillStatusEnum": "assessments.models.DrillStatus",
        "TransferStatusEnum": "spareparts.models.TransferStatus",
        "PurchaseRequestStatusEnum": "spareparts.models.RequestStatus",
        "PurchaseOrderStatusEnum": "spareparts.models.OrderStatus",
        "StocktakeStatusEnum": "spareparts.models.StocktakeStatus",
        "ReturnStatusEnum": "spareparts.models.ReturnStatus",
        "DeliveryStatusEnum": "notifications.models.DeliveryStatus",
        "IncidentChannelEnum": "incidents.models.Channel",
        "DutyShiftKindEnum": "teams.models.DutyShift.Kind",
        "CustomerLanguageEnum": "customers.models.Language",
    },
}


# --- Field work: the technician's offline app and the map (docs/field.md) ----------------
# A phone clock within this many seconds of ours is taken as it is; beyond it, the batch's
# times are shifted by the measured offset (field/services.py explains the time rules).
FIELD_CLOCK_SKEW_SECONDS = env_int("FIELD_CLOCK_SKEW_SECONDS", 120, minimum=0)
# A position less accurate than this (metres) is refused as nonsense (a cell-tower guess
# is a few km; 50 km is no position at all).
FIELD_MAX_ACCURACY_M = env_int("FIELD_MAX_ACCURACY_M", 5_000, minimum=10)
# An arrival farther than this (metres) from the reported location is flagged.
FIELD_FAR_ARRIVAL_M = env_int("FIELD_FAR_ARRIVAL_M", 2_000, minimum=50)
# Actions applied per sync request; the phone sends the rest next.
FIELD_SYNC_MAX_ACTIONS = env_int("FIELD_SYNC_MAX_ACTIONS", 100, minimum=1)
# Queued actions of apps above field, applied through their services (the seam: field
# never imports spareparts or assessments).
FIELD_SYNC_HANDLERS = {
    "part_used": "spareparts.field_actions.part_used",
    "sign_off": "assessments.field_actions.sign_off",
}
# The map's tiles, e.g. https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8
# (Leaflet's URL template). Blank: a plain base layer (make run and tests have no internet).
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
# blob: for the phone's photo previews before upload; the tile server's origin for tiles.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("blob:")
if MAP_TILE_URL:
    # The tile server's origin; a subdomain placeholder ({s}) becomes CSP's wildcard label.
    _scheme, _, _rest = MAP_TILE_URL.partition("://")
    _host = _rest.split("/", 1)[0]
    _labels = _host.split(".")
    if "{" in _labels[0]:
        _labels[0] = "*"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_scheme}://{'.'.join(_labels)}")
