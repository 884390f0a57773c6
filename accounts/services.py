"""API keys: creation (the plaintext is returned once), revocation, lookup by key."""

from __future__ import annotations

import copy
import hashlib
import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiKey, IdempotencyRecord
from core import refcache
from core.exceptions import NOT_ALLOWED

KEY_PREFIX = "as_"


def hash_key(raw: str) -> str:
    """Keys are 256-bit random strings, so a plain SHA-256 is enough (no slow KDF needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(
    user,
    *,
    name: str = "",
    read_only: bool = False,
    expires_in_days: int | None = None,
    now: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for ``user``; returns the stored key and the plaintext (shown once)."""
    now = now or timezone.now()
    if not user.is_active:
        raise ValidationError({"user": [_("This user is not active.")]})
    if expires_in_days is not None and expires_in_days < 1:
        raise ValidationError({"expires_in_days": [_("Enter a number of days of 1 or more.")]})
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        user=user,
        name=(name or "").strip()[:100] or _("API key"),
        prefix=raw[:10],
        key_hash=hash_key(raw),
        read_only=read_only,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return api_key, raw


def revoke_api_key(api_key: ApiKey, *, actor, now: datetime | None = None) -> ApiKey:
    """Revoke a key (its owner or a superuser). Safe to run twice: the first time wins."""
    now = now or timezone.now()
    if actor.pk != api_key.user_id and not actor.is_superuser:
        raise PermissionDenied(str(NOT_ALLOWED))
    with transaction.atomic():
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
        refcache.bump()  # key_for() caches keys
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


def key_for(raw: str) -> ApiKey | None:
    """The stored key matching ``raw`` (usable or not), with its user.

    Known keys come from the reference-data cache (core.refcache): a change to a key or to
    its user (revoked, expiry or scope changed, user deactivated or deleted) bumps the
    version, so it applies in this process at once and in every other within
    REFDATA_RECHECK_SECONDS. Each caller gets its own copies of the key and the user.
    """
    key_hash = hash_key(raw)
    cached = refcache.get(("api-key", key_hash), lambda: _load_key(key_hash), keep_none=False)
    if cached is None:
        return None
    api_key = copy.copy(cached)
    api_key.user = copy.copy(cached.user)
    return api_key


def _load_key(key_hash: str) -> ApiKey | None:
    return ApiKey.objects.select_related("user").filter(key_hash=key_hash).first()


# When this process last recorded each key's use (time.monotonic()), so that only the
# first request per key and period asks the shared cache.
_touched: dict[int, float] = {}


def touch_key(api_key: ApiKey, *, now: datetime | None = None) -> None:
    """Record use; at most one UPDATE per key per API_KEY_TOUCH_SECONDS (the shared cache
    decides between processes; each process asks it at most once per key and period)."""
    from django.core.cache import cache

    period = settings.API_KEY_TOUCH_SECONDS
    started = time.monotonic()
    if started - _touched.get(api_key.pk, -period) < period:
        return
    _touched[api_key.pk] = started
    now = now or timezone.now()
    if cache.add(f"apikey-used:{api_key.pk}", 1, period):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)


def purge_idempotency_records(*, now: datetime | None = None) -> int:
    """Delete idempotency records past their retention (API_IDEMPOTENCY_HOURS)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    deleted, _unused = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- Second factor (TOTP, django-otp) -------------------------------------------------------


def needs_second_factor(user) -> bool:
    """Superusers and the roles in MFA_REQUIRED_ROLES log in with a TOTP code as well."""
    if not settings.MFA_ENABLED or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=settings.MFA_REQUIRED_ROLES).exists()


def has_totp_device(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user):
    """The device being enrolled (unconfirmed), made on first call; its key goes into the QR."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(user, token: str):
    """Confirms the pending device with a code from the app; the user's older devices go.
    Returns the device, or None if the code is wrong."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = pending_totp_device(user)
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def verify_totp(user, token: str):
    """The user's confirmed device that accepts ``token`` (throttled by django-otp), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


# --- Password reset by an administrator ------------------------------------------------------


def send_password_reset(user, *, actor) -> bool:
    """Emails ``user`` a one-time link to set a new password (Django's reset token: valid
    for PASSWORD_RESET_TIMEOUT, void once used or once the password changes). False if the
    user has no email address or cannot log in with a password."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from core.roles import is_system_account

    if actor is None or not actor.is_staff:
        raise PermissionDenied(NOT_ALLOWED)
    if not user.email or not user.is_active or is_system_account(user):
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_mail(
        _("Set a new password for the after-sales desk"),
        _(
            "An administrator asked for a new password for your account %(username)s.\n\n"
            "Open this link within %(hours)s hours to choose one:\n%(link)s\n\n"
            "If you did not expect this, tell your administrator."
        )
        % {"username": user.get_username(), "hours": hours, "link": link},
        None,
        [user.email],
    )
    return True
