"""Customers: every change to a customer record goes through here.

- ``for_report``: the customer of a new report, found by its phone's blind index (one
  indexed read) or created, inside the report's transaction.
- ``create_customer`` / ``update_customer`` / ``add_phone``: the desk and the API.
- ``set_consent`` / ``opt_out``: consent to messages; the "reply TD" SMS opt-out.
- ``merge``: customer B into A (incidents and phones move, the merge is logged).
- ``erase``: privacy's erasure clears the record's personal fields.

Personal values never go into a log line or an exception message: a customer is named by
its number (``#42``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import blind_index
from core.types import Actor
from customers import phones as phone_rules
from customers.models import ConsentSource, Customer, CustomerPhone, Language, MergeLog

log = logging.getLogger(__name__)

CHANNELS = ("sms", "all")


def find_by_phone(phone: str) -> Customer | None:
    """The customer whose phone is ``phone`` (written any way), by its blind index: one
    indexed read on the unique index. None when the number is not a valid Chinese number or
    nobody has it. A merged-away record has no phones, so it is never found."""
    digits = phone_rules.normalise(phone)
    if not digits:
        return None
    return (
        Customer.objects.filter(phones__number_bidx=blind_index("phone", digits)).order_by().first()
    )


def for_report(
    *,
    name: str = "",
    phone: str = "",
    customer: Customer | None = None,
    now: datetime | None = None,
) -> Customer | None:
    """The customer a new report is linked to, called by ``incidents.services.report_incident``
    inside its transaction.

    ``customer`` (the one the dispatcher picked at intake) wins; its phone is added to it if
    nobody has it yet. Otherwise the customer with this phone (one indexed read), or a new
    one with the name and phone as typed. No valid phone and no pick: no customer (a name
    alone does not identify anyone)."""
    digits = phone_rules.normalise(phone)
    if customer is not None:
        if digits and find_by_phone(digits) is None:
            _add_phone(customer, digits)
        return customer
    if not digits:
        return None
    found = find_by_phone(digits)
    if found is not None:
        return found
    try:
        with transaction.atomic():  # a savepoint: another report may add the number now
            return _create(name=name, digits=[digits])
    except IntegrityError:
        return find_by_phone(digits)


def _create(
    *, name: str, digits: list[str], language: str = Language.ZH_HANS, **fields
) -> Customer:
    customer = Customer(name=(name or "").strip(), language=language, **fields)
    customer.save(force_insert=True)
    CustomerPhone.objects.bulk_create(
        [
            CustomerPhone(customer=customer, number=d, is_primary=(i == 0))
            for i, d in enumerate(digits)
        ]
    )
    return customer


def _add_phone(customer: Customer, digits: str) -> CustomerPhone | None:
    try:
        with transaction.atomic():
            return CustomerPhone.objects.create(
                customer=customer, number=digits, is_primary=not customer.phones.exists()
            )
    except IntegrityError:  # someone else has it
        return None


def _require(actor: Actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("You are not allowed to do this."))


def _clean_phones(phones: list[str], *, field: str = "phones", exclude: Customer | None = None):
    """Normalised, distinct numbers, each valid and nobody else's; else a ValidationError
    naming the number as typed."""
    digits: list[str] = []
    errors: list[str] = []
    for typed in phones:
        if not (typed or "").strip():
            continue
        number = phone_rules.normalise(typed)
        if not number:
            errors.append(_("%(phone)s: %(rule)s") % {"phone": typed, "rule": phone_rules.INVALID})
            continue
        owner = find_by_phone(number)
        if owner is not None and owner != exclude:
            errors.append(
                _("%(phone)s is already the phone of customer #%(n)s.")
                % {"phone": typed, "n": owner.pk}
            )
            continue
        if number not in digits:
            digits.append(number)
    if errors:
        raise ValidationError({field: errors})
    if not digits:
        raise ValidationError({field: [_("Give at least one phone number.")]})
    return digits


def create_customer(
    *,
    actor: Actor,
    name: str,
    phones: list[str],
    language: str = Language.ZH_HANS,
    wechat_id: str = "",
    consent: bool | None = None,
    consent_source: str = "",
    now: datetime | None = None,
) -> Customer:
    """A new customer record (the desk or the API). Phones must be valid Chinese numbers
    that no other customer has."""
    _require(actor, "customers.add_customer")
    now = now or timezone.now()
    if language not in Language.values:
        raise ValidationError({"language": [_("Choose Chinese or English.")]})
    name = (name or "").strip()
    if len(name) > 120:
        raise ValidationError({"name": [_("At most 120 characters.")]})
    fields: dict = {"wechat_id": (wechat_id or "").strip()}
    if consent is not None:
        if consent_source not in ConsentSource.values:
            raise ValidationError({"consent_source": [_("Say where the consent was given.")]})
        fields.update(consent=consent, consent_at=now, consent_source=consent_source)
    with transaction.atomic():
        digits = _clean_phones(phones)
        try:
            with transaction.atomic():
                customer = _create(name=name, digits=digits, language=language, **fields)
        except IntegrityError as exc:  # the same number added at the same moment
            raise ValidationError(
                {"phones": [_("This phone was just given to a customer.")]}
            ) from exc
    log.info("customer #%s created", customer.pk)
    return customer


def update_customer(
    customer: Customer, *, actor: Actor, now: datetime | None = None, **changes
) -> Customer:
    """Change the name, language or WeChat id."""
    _require(actor, "customers.change_customer")
    allowed = {"name", "language", "wechat_id"}
    if set(changes) - allowed:
        raise TypeError(f"update_customer() got unexpected fields {sorted(set(changes) - allowed)}")
    if "language" in changes and changes["language"] not in Language.values:
        raise ValidationError({"language": [_("Choose Chinese or English.")]})
    for key, value in changes.items():
        setattr(customer, key, (value or "").strip())
    customer.save(update_fields=[*changes, "updated_at"])
    return customer


def add_phone(customer: Customer, phone: str, *, actor: Actor) -> CustomerPhone:
    """Add a number to the customer (valid, and nobody else's)."""
    _require(actor, "customers.change_customer")
    (digits,) = _clean_phones([phone], field="phone", exclude=customer)
    existing = customer.phones.filter(number_bidx=blind_index("phone", digits)).first()
    if existing is not None:
        return existing
    added = _add_phone(customer, digits)
    if added is None:
        raise ValidationError({"phone": [_("This phone was just given to a customer.")]})
    return added


def set_consent(
    customer: Customer,
    *,
    given: bool,
    source: str,
    actor: Actor = None,
    now: datetime | None = None,
) -> Customer:
    """Record that the customer gave (``given``) or revoked consent to messages, when and
    where. Revoked: only legally required messages are sent (messaging reads
    ``customer.may_message``)."""
    _require(actor, "customers.change_customer")
    if source not in ConsentSource.values:
        raise ValidationError({"consent_source": [_("Say where the consent was given.")]})
    now = now or timezone.now()
    customer.consent, customer.consent_at, customer.consent_source = given, now, source
    customer.save(update_fields=["consent", "consent_at", "consent_source", "updated_at"])
    log.info("customer #%s consent %s (%s)", customer.pk, "given" if given else "revoked", source)
    return customer


def opt_out(
    customer: Customer, channel: str, source: str, *, now: datetime | None = None
) -> Customer:
    """The customer asked to stop messages on ``channel``: "sms" (a "TD" reply; the flag
    and its time are kept, the first time wins) or "all" (consent revoked). Idempotent.
    Called by messaging when a provider reports the reply; ``source`` is a ConsentSource."""
    if channel not in CHANNELS:
        raise ValueError(f"opt_out: unknown channel {channel!r} (one of {CHANNELS})")
    now = now or timezone.now()
    if channel == "all":
        if customer.consent is False:
            return customer
        return set_consent(customer, given=False, source=source, actor=None, now=now)
    if customer.sms_opt_out:
        return customer
    customer.sms_opt_out, customer.sms_opt_out_at = True, now
    customer.save(update_fields=["sms_opt_out", "sms_opt_out_at", "updated_at"])
    log.info("customer #%s opted out of SMS (%s)", customer.pk, source)
    return customer


def opt_in_sms(customer: Customer, *, actor: Actor, now: datetime | None = None) -> Customer:
    """The customer asked for SMS again (on the phone, at the desk)."""
    _require(actor, "customers.change_customer")
    customer.sms_opt_out, customer.sms_opt_out_at = False, None
    customer.save(update_fields=["sms_opt_out", "sms_opt_out_at", "updated_at"])
    return customer


@dataclass(frozen=True)
class MergePlan:
    """What a merge of ``source`` into ``target`` moves (the confirm step shows it)."""

    target: Customer
    source: Customer
    incidents: int
    phones: int


def merge_plan(target: Customer, source: Customer) -> MergePlan:
    _check_merge(target, source)
    return MergePlan(
        target=target,
        source=source,
        incidents=source.incidents.count(),
        phones=source.phones.count(),
    )


def _check_merge(target: Customer, source: Customer) -> None:
    if target.pk == source.pk:
        raise ValidationError({"source": [_("A customer cannot be merged into itself.")]})
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ValidationError({"source": [_("This customer was already merged.")]})


def merge(
    target: Customer, source: Customer, *, actor: Actor, now: datetime | None = None
) -> MergeLog:
    """Merge ``source`` (B) into ``target`` (A), in one transaction: B's incidents and phones
    move to A; what A lacks (name, WeChat id) is taken from B; the stricter of their
    consents and opt-outs is kept (a revoked consent or an SMS opt-out is never lost); B
    keeps only a pointer to A; the merge is logged (who, when, what moved)."""
    _require(actor, "customers.merge_customer")
    now = now or timezone.now()
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Customer.objects.select_for_update().filter(pk__in=[target.pk, source.pk])
        }
        if len(locked) != 2:
            raise ValidationError({"source": [_("A customer cannot be merged into itself.")]})
        target, source = locked[target.pk], locked[source.pk]
        _check_merge(target, source)
        incidents = source.incidents.update(customer=target)
        has_primary = target.phones.filter(is_primary=True).exists()
        phones = source.phones.update(customer=target, is_primary=False)
        if not has_primary:
            first = target.phones.order_by("id").first()
            if first is not None:
                target.phones.filter(pk=first.pk).update(is_primary=True)
        if not target.name and source.name:
            target.name = source.name
        if not target.wechat_id and source.wechat_id:
            target.wechat_id = source.wechat_id
        _merge_consent(target, source)
        target.save()
        source.merged_into = target
        source.name, source.wechat_id = "", ""
        source.save(update_fields=["merged_into", "name", "wechat_id", "updated_at"])
        entry = MergeLog.objects.create(
            target=target,
            source_id_value=source.pk,
            merged_by=actor,
            merged_at=now,
            incidents_moved=incidents,
            phones_moved=phones,
        )
    log.info("customer #%s merged into #%s", source.pk, target.pk)
    return entry


def _merge_consent(target: Customer, source: Customer) -> None:
    if source.consent is False and target.consent is not False:
        target.consent, target.consent_at = False, source.consent_at
        target.consent_source = source.consent_source
    elif target.consent is None and source.consent is not None:
        target.consent, target.consent_at = source.consent, source.consent_at
        target.consent_source = source.consent_source
    if source.sms_opt_out and not target.sms_opt_out:
        target.sms_opt_out, target.sms_opt_out_at = True, source.sms_opt_out_at


def erase(customer: Customer, *, now: datetime | None = None) -> bool:
    """Clear the record's personal fields (name, phones, WeChat id); keep its language,
    consent and opt-out (what it may be sent is not personal, and an opt-out must outlive
    the data). Called by privacy's erasure, which checks the permission and erases the
    customer's incidents. False when there was nothing left to clear."""
    now = now or timezone.now()
    had = bool(customer.name or customer.wechat_id or customer.phones.exists())
    customer.phones.all().delete()
    customer.name, customer.wechat_id = "", ""
    if had or customer.erased_at is None:
        customer.erased_at = now
    customer.save(update_fields=["name", "wechat_id", "erased_at", "updated_at"])
    log.info("customer #%s personal data erased", customer.pk)
    return had
