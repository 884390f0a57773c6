"""Customers: phone rules, linking at intake, consent and opt-out, merge, erasure."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers import phones, services
from customers.models import Customer, CustomerPhone, MergeLog
from privacy import services as privacy
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 138 0013 8000", "13800138000"),
        ("\uff11\uff13\uff18\uff10\uff10" + "138000", "13800138000"),  # full-width
        ("010-1234 5678", "01012345678"),
        ("+86 10 1234 5678", "01012345678"),
        ("0755 1234 5678", "075512345678"),
        ("0571-8765432", "05718765432"),
        ("400 810 8888", "4008108888"),
    ],
)
def test_valid_chinese_numbers_normalise_to_their_digits(typed, digits):
    assert phones.normalise(typed) == digits
    assert phones.clean(typed) == digits


@pytest.mark.parametrize(
    "typed", ["12800138000", "1380013800", "138001380001", "12345", "call me", "+1 415 555 0100"]
)
def test_invalid_numbers_are_refused_with_a_clear_error(typed):
    assert phones.normalise(typed) == ""
    with pytest.raises(ValidationError) as exc:
        phones.clean(typed)
    assert "mainland China phone number" in exc.value.messages[0]


def test_a_report_creates_the_customer_then_a_second_report_finds_them(dispatcher):
    first = factories.report(dispatcher, customer_name="王伟", customer_phone="138 0013 8000")
    assert first.customer is not None
    customer = Customer.objects.get(pk=first.customer_id)
    assert customer.name == "王伟"
    assert [p.number for p in customer.phones.all()] == ["13800138000"]
    # Written another way: the same customer, found by the blind index in one read.
    with CaptureQueriesContext(connection) as ctx:
        again = services.for_report(name="Wang Wei", phone="+86 138-0013-8000")
    assert again == customer
    assert len(ctx.captured_queries) == 1
    second = factories.report(dispatcher, customer_phone="0086 13800138000")
    assert second.customer_id == customer.pk
    # Stored encrypted: the column holds no digits of the number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM customers_customerphone")
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:") and "8000" not in stored


def test_a_report_without_a_valid_phone_has_no_customer(dispatcher):
    assert factories.report(dispatcher, customer_phone="").customer is None
    assert factories.report(dispatcher, customer_phone="555-1234").customer is None


def test_the_customer_picked_at_intake_wins_and_gains_the_new_number(dispatcher):
    picked = services.create_customer(actor=dispatcher, name="Li Na", phones=["13900000001"])
    incident = factories.report(dispatcher, customer_phone="13900000002", customer=picked)
    assert incident.customer_id == picked.pk
    assert sorted(p.number for p in picked.phones.all()) == ["13900000001", "13900000002"]


def test_create_refuses_a_number_another_customer_has(dispatcher):
    services.create_customer(actor=dispatcher, name="A", phones=["13900000001"])
    with pytest.raises(ValidationError) as exc:
        services.create_customer(actor=dispatcher, name="B", phones=["+86 139 0000 0001"])
    assert "phones" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.create_customer(actor=dispatcher, name="C", phones=["12"])
    technician = factories.UserFactory(username="t1", roles=["technician"])
    with pytest.raises(PermissionDenied):
        services.create_customer(actor=technician, name="D", phones=["13900000003"])


def test_opt_out_of_sms_is_kept_with_its_time_once_and_all_revokes_consent(dispatcher):
    customer = services.create_customer(
        actor=dispatcher, name="A", phones=["13900000001"], consent=True, consent_source="phone"
    )
    first = timezone.now() - timedelta(hours=1)
    services.opt_out(customer, "sms", "sms", now=first)
    services.opt_out(customer, "sms", "sms")  # a second TD: the first time stays
    customer.refresh_from_db()
    assert customer.sms_opt_out and customer.sms_opt_out_at == first
    assert customer.may_message  # SMS only
    services.opt_out(customer, "all", "wechat")
    customer.refresh_from_db()
    assert customer.consent is False and customer.consent_source == "wechat"
    assert not customer.may_message
    with pytest.raises(ValueError):
        services.opt_out(customer, "pigeon", "sms")


def test_merge_moves_incidents_and_phones_keeps_the_stricter_consent_and_is_logged(
    dispatcher, manager
):
    a = factories.report(dispatcher, customer_name="", customer_phone="13900000001").customer
    b_incident = factories.report(dispatcher, customer_name="Li Na", customer_phone="01012345678")
    b = b_incident.customer
    services.set_consent(b, given=False, source="phone", actor=dispatcher)
    services.opt_out(b, "sms", "sms")
    plan = services.merge_plan(a, b)
    assert (plan.incidents, plan.phones) == (1, 1)
    with pytest.raises(PermissionDenied):
        services.merge(a, b, actor=dispatcher)
    entry = services.merge(a, b, actor=manager)
    a.refresh_from_db()
    b.refresh_from_db()
    b_incident.refresh_from_db()
    assert b_incident.customer_id == a.pk
    assert sorted(p.number for p in a.phones.all()) == ["01012345678", "13900000001"]
    assert a.name == "Li Na" and a.consent is False and a.sms_opt_out
    assert b.merged_into_id == a.pk and b.name == "" and not b.phones.exists()
    assert (entry.merged_by, entry.incidents_moved, entry.phones_moved) == (manager, 1, 1)
    assert list(MergeLog.objects.filter(target=a)) == [entry]
    assert services.find_by_phone("010 1234 5678") == a
    with pytest.raises(ValidationError):
        services.merge(a, b, actor=manager)  # already merged
    with pytest.raises(ValidationError):
        services.merge(a, a, actor=manager)


def test_erasing_a_customer_clears_the_record_and_their_incidents(dispatcher):
    incident = factories.report(dispatcher, customer_name="王伟", customer_phone="13800138000")
    customer = incident.customer
    done = privacy.erase_customer(customer, actor=None, reason="request 42")
    assert len(done) == 1
    customer.refresh_from_db()
    incident.refresh_from_db()
    assert customer.name == "" and customer.erased_at is not None
    assert not CustomerPhone.objects.filter(customer=customer).exists()
    assert incident.customer_name == "" and incident.customer_phone == ""
    assert services.find_by_phone("13800138000") is None


def test_retention_clears_customers_whose_incidents_are_all_erased(dispatcher, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=60)
    incident = factories.report(dispatcher, customer_phone="13800138000", reported_at=old, now=old)
    incident.__class__.objects.filter(pk=incident.pk).update(status="cancelled", cancelled_at=old)
    idle = services.create_customer(actor=None, name="Idle", phones=["13900000009"])
    Customer.objects.filter(pk=idle.pk).update(updated_at=old)
    active = services.create_customer(actor=None, name="Active", phones=["13900000008"])
    assert privacy.erase_expired() == 1
    assert Customer.objects.get(pk=incident.customer_id).erased_at is not None
    assert Customer.objects.get(pk=idle.pk).name == ""
    assert Customer.objects.get(pk=active.pk).name == "Active"
