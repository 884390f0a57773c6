"""Personal data encrypted at rest: field encryption, blind indexes and key rotation.

Values are encrypted with AES-256-GCM (``cryptography``) and stored as text::

    enc1:<key id>:<base64url(12-byte nonce + ciphertext + 16-byte tag)>

Why AES-GCM with a key id rather than ``MultiFernet``: the key that encrypted a value can be
read from the value, so ``manage.py rotate_field_keys`` re-encrypts only what is not yet
under the current key (idempotent and resumable, a second run writes nothing), and a value
under a key that is no longer configured fails with an error that names its key id. GCM
authenticates: a wrong key or an altered value is an error, never silent garbage. Tokens
are about half a Fernet token's length (a phone number: ~70 characters).

Keys come from settings (the environment): ``FIELD_ENCRYPTION_KEYS`` is a list of keys, each
32 random bytes in URL-safe base64 (``manage.py rotate_field_keys --generate-key`` prints
one); the first encrypts, every one decrypts, so a new key is put first and the old one
kept behind it until ``rotate_field_keys`` has run. ``BLIND_INDEX_KEY`` is the HMAC-SHA256
key of the blind indexes: a keyed hash of the normalised value (``normalise_phone``,
``normalise_name``) stored beside the ciphertext, so exact search still works with an
index while the column holds nothing readable. Development and tests use the ``DEV_*``
keys below; production refuses to start without its own (config/settings.py) and the
deploy check ``core.E101`` reports the dev keys.

Empty values stay empty (an absent customer phone is not a secret), so ``""`` filters work.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull

# Development and test keys: public (they are in this file), refused in production.
DEV_FIELD_ENCRYPTION_KEY = "esx_H2v9wdMVq_qHUO6sVjCex9rglBrYPBEWtU9-anE="
DEV_BLIND_INDEX_KEY = "mmlq4JE-xQ08mDc0JtMZto2TpvySWQ3pA09Al7ZvOCc="

PREFIX = "enc1:"
NONCE_BYTES = 12
INDEX_CHARS = 32  # hex characters of the HMAC kept: 128 bits


class FieldDecryptionError(Exception):
    """A stored value cannot be decrypted with the configured keys."""


# --- keys --------------------------------------------------------------------------------


def generate_key() -> str:
    """A new random key in the form FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY take."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def parse_key(text: str, *, setting: str = "FIELD_ENCRYPTION_KEYS") -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{setting}: a key is not URL-safe base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{setting}: each key must be 32 bytes, got {len(raw)}")
    return raw


def key_id(key: bytes) -> str:
    """8 hex characters naming a key (a hash of it: says nothing of the key)."""
    return hashlib.sha256(b"aftersales-field-key:" + key).hexdigest()[:8]


class Keyring:
    """The encryption keys in order: the first encrypts, all decrypt."""

    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
        parsed = [parse_key(k) for k in keys]
        self.ids = [key_id(k) for k in parsed]
        self._ciphers = {kid: AESGCM(k) for kid, k in zip(self.ids, parsed, strict=True)}
        self.current = self.ids[0]

    def encrypt(self, plain: str) -> str:
        if not plain:
            return plain
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.current].encrypt(nonce, plain.encode(), None)
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return f"{PREFIX}{self.current}:{body}"

    def decrypt(self, token: str) -> str:
        if not token:
            return token
        kid = token_key_id(token)
        if kid is None:
            raise FieldDecryptionError("the stored value is not encrypted (no enc1: prefix)")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise FieldDecryptionError(
                f"the value was encrypted with key id {kid}, which is not in "
                f"FIELD_ENCRYPTION_KEYS (ids {', '.join(self.ids)}): add that key back "
                "behind the current one, then run manage.py rotate_field_keys"
            )
        body = token[len(PREFIX) + len(kid) + 1 :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise FieldDecryptionError(
                f"the value under key id {kid} does not decrypt: the key with that id is "
                "not the one that encrypted it, or the value was altered"
            ) from exc

    def needs_rotation(self, token: str) -> bool:
        return bool(token) and token_key_id(token) != self.current


def token_key_id(token: str) -> str | None:
    """The key id of an encrypted value, None if it is not one."""
    if not token.startswith(PREFIX):
        return None
    kid, sep, _ = token[len(PREFIX) :].partition(":")
    return kid if sep else None


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> Keyring:
    return Keyring(keys)


def keyring() -> Keyring:
    """The keyring of the current settings (cached per distinct key list)."""
    from django.conf import settings

    return _keyring(tuple(_as_list(settings.FIELD_ENCRYPTION_KEYS)))


def _as_list(value: str | Iterable[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    return [k.strip() for k in items if k.strip()]


def encrypt(plain: str) -> str:
    return keyring().encrypt(plain)


def decrypt(token: str) -> str:
    return keyring().decrypt(token)


# --- blind indexes -----------------------------------------------------------------------

_NOT_DIGIT = re.compile(r"[^0-9]")
_SPACES = re.compile(r"\s+")


def normalise_phone(value: str) -> str:
    """Digits only, without China's country code: "+86 138-0013-8000", "138 0013 8000",
    "0086 13800138000" and "13800138000" are all "13800138000". A landline written with
    the country code gets its trunk 0 back ("+86 10 1234 5678" -> "01012345678")."""
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", value or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    else:
        return digits
    if not (len(digits) == 11 and digits.startswith("1")):  # not a mobile: a landline
        digits = "0" + digits
    return digits


def normalise_name(value: str) -> str:
    """Case-folded, trimmed, inner spaces collapsed, full-width forms folded (NFKC)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value or "")).strip().casefold()


NORMALISERS: dict[str, Callable[[str], str]] = {
    "phone": normalise_phone,
    "name": normalise_name,
}


@lru_cache(maxsize=8)
def _index_key(text: str) -> bytes:
    return parse_key(text, setting="BLIND_INDEX_KEY")


def blind_index(kind: str, value: str, *, key: str | None = None) -> str:
    """The blind index of ``value`` as a ``kind`` ("phone", "name"): HMAC-SHA256 over the
    kind and the normalised value, 32 hex characters; "" for a value that normalises to
    nothing. The kind is hashed in so that a name and a phone that happen to be the same
    text do not share an index value."""
    normal = NORMALISERS[kind](value)
    if not normal:
        return ""
    if key is None:
        from django.conf import settings

        key = settings.BLIND_INDEX_KEY
    # surrogatepass: a lone surrogate typed into a search box hashes (to nothing stored)
    # instead of failing the request.
    message = f"{kind}\0{normal}".encode(errors="surrogatepass")
    mac = hmac.new(_index_key(key), message, hashlib.sha256)
    return mac.hexdigest()[:INDEX_CHARS]


# --- model fields ------------------------------------------------------------------------


class EncryptedCharField(models.CharField):
    """A CharField whose value is encrypted in the database and plain everywhere else.

    ``max_length`` limits the plain text (forms, validation); the column is ``text``. The
    lookups are ``isnull``, ``exact`` and ``iexact`` (both through the field's
    ``BlindIndexField``, see ``BlindExact``); any other raises FieldError: ciphertext has
    no substrings to search."""

    description = "Text encrypted at rest"

    def db_type(self, connection: Any) -> str | None:
        return connection.data_types["TextField"]

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        try:
            return decrypt(value)
        except FieldDecryptionError as exc:
            raise FieldDecryptionError(f"{self.model._meta.label}.{self.name}: {exc}") from exc

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name in ("exact", "iexact"):  # iexact: the admin's "=field" search
            return BlindExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.name} is encrypted: it cannot be searched with '{lookup_name}'; "
            "search its blind index"
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None


class BlindExact(Exact):
    """``customer_phone="138 0013 8000"`` compares the field's blind index (the
    ``BlindIndexField`` whose source it is) with the value's: exact search, on the index's
    column, as if the field were plain. ``field=""`` compares the column itself (empty
    values are stored empty). A field without a blind index cannot be matched."""

    def get_prep_lookup(self) -> Any:
        return self.rhs  # not encrypted: a fresh ciphertext never equals a stored one

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if self.rhs in ("", None):
            return super().as_sql(compiler, connection)
        field = self.lhs.target
        index = next((f for f in blind_index_fields(field.model) if f.source == field.name), None)
        if index is None or not isinstance(self.rhs, str):
            raise FieldError(f"{field.name} is encrypted and has no blind index to match")
        column = index.get_col(self.lhs.alias)
        return Exact(column, index.index_of(self.rhs)).as_sql(compiler, connection)


class BlindIndexField(models.CharField):
    """The blind index of another field of the model (``source``), kept in step on every
    save: computed in ``pre_save``, so ``save()``, ``bulk_create()`` and the insert
    accelerator (incidents/accel_pg.py) write it; ``BlindIndexedModel.save`` adds it to
    ``update_fields`` and ``BlindIndexedQuerySet`` to ``update()``/``bulk_update()``."""

    def __init__(self, *args: Any, source: str = "", kind: str = "", **kwargs: Any):
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", INDEX_CHARS)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        for key, value in (("max_length", INDEX_CHARS), ("editable", False), ("blank", True)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def index_of(self, value: str) -> str:
        return blind_index(self.kind, value or "")

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.index_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def blind_index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


class BlindIndexedModel:
    """A model mixin (put it before ``models.Model``): keeps blind indexes in step when
    ``save(update_fields=[...])`` names their source. Not a model itself, so that settings
    can import this module before the apps are loaded."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            names = set(update_fields)
            model = cast("type[models.Model]", type(self))
            names |= {f.name for f in blind_index_fields(model) if f.source in names}
            kwargs["update_fields"] = names
        super().save(*args, **kwargs)  # type: ignore[misc]


class BlindIndexedQuerySet(models.QuerySet):
    """``update(customer_phone="…")`` writes the phone's blind index too; an update of an
    encrypted source with an expression (F(), Concat()...) is refused: its index cannot be
    computed outside the database."""

    def update(self, **kwargs: Any) -> int:
        for field in blind_index_fields(self.model):
            if field.source in kwargs and field.name not in kwargs:
                value = kwargs[field.source]
                if value is not None and not isinstance(value, str):
                    raise FieldError(
                        f"{field.source} is encrypted and indexed: update it with a string"
                    )
                kwargs[field.name] = field.index_of(value or "")
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs = list(objs)
        names = list(fields)
        for field in blind_index_fields(self.model):
            if field.source in names and field.name not in names:
                names.append(field.name)
                for obj in objs:
                    field.pre_save(obj, add=False)
        return super().bulk_update(objs, names, batch_size=batch_size)

    bulk_update.alters_data = True  # type: ignore[attr-defined]


def encrypted_fields(model: type[models.Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


# --- deployment check --------------------------------------------------------------------


@checks.register(checks.Tags.security, deploy=True)
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``check --deploy``: the keys are set, well-formed and not the development ones."""
    from django.conf import settings

    errors: list[checks.CheckMessage] = []
    try:
        keys = _as_list(settings.FIELD_ENCRYPTION_KEYS)
        Keyring(keys)
        _index_key(settings.BLIND_INDEX_KEY)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="core.E102")]
    if DEV_FIELD_ENCRYPTION_KEY in keys[:1] or settings.BLIND_INDEX_KEY == DEV_BLIND_INDEX_KEY:
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS / BLIND_INDEX_KEY: the development key encrypts or "
                "indexes customer data; set keys of your own (README, 'Customer data "
                "encryption and key rotation').",
                id="core.E101",
            )
        )
    return errors
