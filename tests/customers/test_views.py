"""The customer pages and the intake lookup, for every role that can reach them."""

import pytest
from django.urls import reverse

from customers import services
from customers.models import Customer, MergeLog
from incidents.models import Incident
from tests import factories

pytestmark = pytest.mark.django_db

# Customer service calls customers back: it sees them in clear as the desk does (tracking).
ROLES_THAT_SEE = {"dispatcher": "clear", "manager": "clear", "customer_service": "clear"}


@pytest.fixture
def returning(dispatcher):
    """A customer with two incidents: an old resolved one... and an open one."""
    first = factories.report(
        dispatcher, title="Old charger fault", customer_name="王伟", customer_phone="13800138000"
    )
    Incident.objects.filter(pk=first.pk).update(status="cancelled")
    second = factories.report(dispatcher, title="Door stuck", customer_phone="13800138000")
    return first.customer, first, second


@pytest.mark.parametrize(("role", "level"), ROLES_THAT_SEE.items())
def test_every_desk_role_opens_the_list_and_the_record_masked_as_its_role(
    login, returning, role, level
):
    customer, *_ = returning
    client = login(factories.UserFactory(username=f"u-{role}", roles=[role]))
    found = client.get(reverse("customers:list"), {"q": "+86 138-0013-8000"})
    assert found.status_code == 200
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Door stuck" in text and "Old charger fault" in text
    assert text.index("Door stuck") < text.index("Old charger fault")  # open first
    if level == "clear":
        assert "王伟" in text and "138 0013 8000" in text
        assert "王伟" in found.content.decode()


def test_a_role_that_sees_customers_masked_gets_the_record_masked(login, returning):
    """Legal may open a record (given the permission) but sees customers masked."""
    from django.contrib.auth.models import Permission

    customer, *_ = returning
    user = factories.UserFactory(username="lawyer", roles=["legal"])
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    text = login(user).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "王伟" not in text and "138****8000" in text and "王*" in text


def test_roles_without_customer_access_are_refused(technician_client, returning):
    customer, *_ = returning
    assert technician_client.get(reverse("customers:list")).status_code == 403
    assert technician_client.get(reverse("customers:detail", args=[customer.pk])).status_code == 403


def test_search_by_exact_name_and_by_number(dispatcher_client, returning):
    customer, *_ = returning
    by_name = dispatcher_client.get(reverse("customers:list"), {"q": " 王伟 "})
    assert f'href="/customers/{customer.pk}/"' in by_name.content.decode()
    nobody = dispatcher_client.get(reverse("customers:list"), {"q": "王"})
    assert f'href="/customers/{customer.pk}/"' not in nobody.content.decode()
    by_number = dispatcher_client.get(reverse("customers:list"), {"q": f"#{customer.pk}"})
    assert f'href="/customers/{customer.pk}/"' in by_number.content.decode()


def test_the_intake_lookup_offers_the_record_and_history(dispatcher_client, returning):
    customer, first, second = returning
    response = dispatcher_client.get(
        reverse("incidents:caller_history"), {"customer_phone": "138 0013 8000"}
    )
    text = response.content.decode()
    assert f'data-pick-customer="{customer.pk}"' in text and "王伟" in text
    assert text.index(second.number) < text.index(first.number)
    unknown = dispatcher_client.get(
        reverse("incidents:caller_history"), {"customer_phone": "13900000077"}
    )
    assert "data-pick-customer" not in unknown.content.decode()


def test_the_report_form_links_the_picked_customer_and_refuses_a_bad_phone(
    dispatcher_client, returning
):
    customer, *_ = returning
    data = {
        "customer_name": "王伟",
        "customer_phone": "13900000001",  # a new number for a known customer
        "customer": str(customer.pk),
        "title": "Heater dead",
        "category": factories.category().pk,
        "grade": "III",
        "channel": "hotline",
    }
    response = dispatcher_client.post(reverse("incidents:create"), data)
    assert response.status_code == 302
    incident = Incident.objects.get(title="Heater dead")
    assert incident.customer_id == customer.pk
    assert services.find_by_phone("13900000001") == customer
    bad = dispatcher_client.post(reverse("incidents:create"), {**data, "customer_phone": "1234"})
    assert bad.status_code == 422
    assert "mainland China phone number" in bad.content.decode()


def test_edit_and_consent(dispatcher_client, login, returning):
    customer, *_ = returning
    url = reverse("customers:edit", args=[customer.pk])
    assert dispatcher_client.get(url).status_code == 200
    response = dispatcher_client.post(
        url,
        {"name": "王伟", "language": "en", "wechat_id": "wm-1", "consent_choice": "no"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.language, customer.consent, customer.consent_source) == ("en", False, "desk")
    bad = dispatcher_client.post(url, {"name": "x", "language": "en", "add_phone": "555"})
    assert bad.status_code == 422
    # A role that sees customers masked: its form has the consent only.
    from django.contrib.auth.models import Permission

    lawyer = factories.UserFactory(username="lawyer", roles=["legal"])
    lawyer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "change_customer"])
    )
    page = login(lawyer).get(url).content.decode()
    assert 'name="consent_choice"' in page and 'name="name"' not in page and "王伟" not in page


def test_a_manager_merges_a_duplicate_after_a_confirm_step(
    manager_client, dispatcher_client, returning
):
    customer, *_ = returning
    duplicate = factories.report(None, customer_name="Wang Wei", customer_phone="010 1234 5678")
    other = duplicate.customer
    url = reverse("customers:merge", args=[customer.pk])
    assert dispatcher_client.get(url).status_code == 403
    assert manager_client.get(url).status_code == 200
    confirm = manager_client.get(url, {"source": "010-1234-5678"})
    assert "1 incident moves" in confirm.content.decode()
    assert Customer.objects.get(pk=other.pk).merged_into_id is None  # nothing moved yet
    done = manager_client.post(url, {"source": f"#{other.pk}", "confirm": "1"})
    assert done.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.customer_id == customer.pk
    assert MergeLog.objects.filter(target=customer, source_id_value=other.pk).exists()
    page = manager_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert f"#{other.pk} merged into this record by" in page
    unknown = manager_client.get(url, {"source": "13911112222"})
    assert unknown.status_code == 422
