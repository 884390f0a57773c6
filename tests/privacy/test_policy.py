"""Who sees a customer's name and phone in clear (privacy.policy), role by role."""

import pytest

from privacy import policy
from tests import factories
from tests.privacy.conftest import NAME, PHONE, resolve

pytestmark = pytest.mark.django_db

MASKED_NAME, MASKED_PHONE = "张*", "138****1234"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138 1234 1234", "861****1234"),
        ("010-1234", "*****34"),
        ("12", "**12"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert policy.mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张伟", "张*"), ("欧阳娜娜", "欧***"), ("Wei Li", "W*** Li"), ("Li", "L***"), ("", "")],
)
def test_mask_name(name, masked):
    assert policy.mask_name(name) == masked


def _seen(user, incident):
    view = policy.customer_view(user, incident)
    return view.level, view.name, view.phone, view.can_reveal


@pytest.mark.parametrize("role", ["dispatcher", "manager", "integration"])
def test_desk_roles_see_the_customer_in_clear(job, role):
    user = factories.UserFactory(roles=[role])
    assert _seen(user, job) == ("clear", NAME, PHONE, False)


def test_an_admin_sees_the_customer_in_clear(job, admin_user):
    assert _seen(admin_user, job) == ("clear", NAME, PHONE, False)


def test_the_system_sees_the_customer_in_clear(job):
    assert policy.level(None, job) == policy.CLEAR


def test_a_technician_sees_the_customer_on_their_own_open_job(job, technician):
    assert _seen(technician, job) == ("clear", NAME, PHONE, False)


def test_a_technician_sees_the_customer_masked_once_the_job_is_resolved(job, technician):
    resolve(job, technician)
    assert _seen(technician, job) == ("masked", MASKED_NAME, MASKED_PHONE, False)


def test_a_technician_sees_the_customer_masked_on_a_job_that_is_not_theirs(job, other_technician):
    assert _seen(other_technician, job) == ("masked", MASKED_NAME, MASKED_PHONE, False)


def test_a_team_member_of_an_unassigned_job_is_on_it(org, technician):
    incident = factories.report(customer_name=NAME, customer_phone=PHONE)
    incident.team = org["service_centre"]
    assert policy.level(technician, incident) == policy.CLEAR


@pytest.mark.parametrize("role", ["logistics", "legal"])
def test_logistics_and_legal_see_the_customer_masked_and_may_reveal(job, role):
    user = factories.UserFactory(roles=[role])
    assert _seen(user, job) == ("masked", MASKED_NAME, MASKED_PHONE, True)


def test_a_partner_with_no_role_never_sees_the_customer(job, partner):
    # On the job (a member of its team), still nothing.
    assert _seen(partner, job) == ("hidden", "", "", False)


def test_an_inactive_user_sees_nothing(job):
    user = factories.UserFactory(roles=["dispatcher"], is_active=False)
    assert policy.level(user, job) == policy.HIDDEN


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["dispatcher"], "clear"),
        (["manager"], "clear"),
        (["technician"], "masked"),
        (["legal"], "masked"),
        (["logistics"], "masked"),
        ([], "hidden"),
    ],
)
def test_an_export_shows_customers_in_clear_only_to_the_roles_that_always_see_them(
    db, roles, expected
):
    assert policy.export_level(factories.UserFactory(roles=roles)) == expected


def test_a_list_row_costs_no_query_per_row(org, technician, django_assert_num_queries):
    incidents = [factories.report(customer_name=NAME) for _ in range(3)]
    for incident in incidents:
        incident.team = org["service_centre"]
    technician.has_perm("privacy.view_customer_data")  # the permission cache, once
    with django_assert_num_queries(1):  # the user's teams, once
        names = [policy.customer_view(technician, i, check_reveals=False).name for i in incidents]
    assert names == [NAME] * 3
