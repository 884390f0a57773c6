"""The per-process reference-data cache (core.refcache): served from memory, dropped when
a change commits, here at once and in other processes within REFDATA_RECHECK_SECONDS."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import create_api_key, key_for, revoke_api_key
from core import refcache
from core.models import ReferenceVersion
from incidents import services as incidents
from incidents.models import Category, ResponsePolicy
from incidents.services.rules import active_category, policy_for
from tests import factories
from tests.escalation.procs import ROOT, database_url

pytestmark = pytest.mark.django_db


def other_process_changes(monkeypatch, settings):
    """Bump the version in the database only, as another process's commit would, and let
    the recheck interval pass."""
    ReferenceVersion.objects.filter(pk=1).update(n=F("n") + 1)
    clock = time.monotonic() + settings.REFDATA_RECHECK_SECONDS + 1
    monkeypatch.setattr(refcache.time, "monotonic", lambda: clock)


def test_reads_are_served_from_memory_until_the_version_changes(
    django_assert_num_queries, monkeypatch, settings
):
    settings.REFDATA_RECHECK_SECONDS = 60
    policy_for("I")
    active_category("product-quality")
    with django_assert_num_queries(0):
        assert policy_for("I").confirm_minutes == 30
        assert active_category("product-quality") is not None
    # Another process changes the policy without telling this one.
    ResponsePolicy.objects.filter(grade="I").update(confirm_minutes=20)
    with django_assert_num_queries(0):
        assert policy_for("I").confirm_minutes == 30  # still this process's copy
    other_process_changes(monkeypatch, settings)
    assert policy_for("I").confirm_minutes == 20


def test_a_saved_change_applies_in_this_process_at_once(settings):
    settings.REFDATA_RECHECK_SECONDS = 60
    assert policy_for("II").arrive_minutes == 240
    policy = ResponsePolicy.objects.get(grade="II")
    policy.arrive_minutes = 90
    policy.save()
    assert policy_for("II").arrive_minutes == 90
    category = Category.objects.get(slug="product-quality")
    category.is_active = False
    category.save()
    assert active_category("product-quality") is None


def test_the_deadline_of_a_new_report_follows_an_edited_policy(dispatcher, org):
    incident = incidents.report_incident(
        actor=dispatcher, title="t", category=active_category("product-quality"), grade="III"
    )
    assert incident.confirm_deadline - incident.reported_at == timedelta(minutes=30)
    policy = ResponsePolicy.objects.get(grade="III")
    policy.confirm_minutes = 45
    policy.save()
    incident = incidents.report_incident(
        actor=dispatcher, title="t", category=active_category("product-quality"), grade="III"
    )
    assert incident.confirm_deadline - incident.reported_at == timedelta(minutes=45)


def test_a_value_read_inside_a_rolled_back_change_does_not_outlive_the_recheck(
    monkeypatch, settings
):
    settings.REFDATA_RECHECK_SECONDS = 60
    with pytest.raises(RuntimeError), transaction.atomic():
        policy = ResponsePolicy.objects.get(grade="I")
        policy.confirm_minutes = 5
        policy.save()
        assert policy_for("I").confirm_minutes == 5
        raise RuntimeError("rolled back")
    clock = time.monotonic() + 61
    monkeypatch.setattr(refcache.time, "monotonic", lambda: clock)
    assert policy_for("I").confirm_minutes == 30


def test_a_role_change_applies_to_the_users_permissions_at_once(dispatcher):
    assert dispatcher.has_perm("incidents.report_incident")
    dispatcher.groups.remove(Group.objects.get(name="dispatcher"))
    dispatcher = type(dispatcher).objects.get(pk=dispatcher.pk)
    assert not dispatcher.has_perm("incidents.report_incident")
    dispatcher.groups.add(Group.objects.get(name="dispatcher"))
    dispatcher = type(dispatcher).objects.get(pk=dispatcher.pk)
    assert dispatcher.has_perm("incidents.report_incident")


def test_an_inactive_users_permissions_are_empty(dispatcher):
    assert dispatcher.has_perm("incidents.report_incident")
    dispatcher.is_active = False
    assert not dispatcher.has_perm("incidents.report_incident")


def test_unknown_api_keys_are_not_kept():
    for n in range(5):
        assert key_for(f"no-such-key-{n}") is None
    assert not any(k[0] == "api-key" for k in refcache._values if isinstance(k, tuple))


def test_each_caller_gets_its_own_copy_of_a_cached_key(dispatcher, django_assert_num_queries):
    _key, raw = create_api_key(dispatcher, name="k")
    first = key_for(raw)
    with django_assert_num_queries(0):
        second = key_for(raw)
    first.user.first_name = "changed"
    first.name = "changed"
    assert second.user.first_name != "changed" and second.name != "changed"
    assert key_for(raw).name == "k"


def test_revoking_or_deactivating_applies_at_once_here(dispatcher):
    key, raw = create_api_key(dispatcher, name="k")
    assert key_for(raw).is_usable(timezone.now())
    revoke_api_key(key, actor=dispatcher)
    assert not key_for(raw).is_usable(timezone.now())
    _key2, raw2 = create_api_key(dispatcher, name="k2")
    assert key_for(raw2).user.is_active
    dispatcher.is_active = False
    dispatcher.save()
    assert not key_for(raw2).user.is_active


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_key_revoked_by_another_process_stops_working_here_within_the_recheck(settings):
    settings.REFDATA_RECHECK_SECONDS = 1
    factories.make_org()
    user = factories.UserFactory(username="integ", roles=["integration"])
    key, raw = create_api_key(user, name="k")
    assert key_for(raw).is_usable(timezone.now())
    code = (
        "from accounts.models import ApiKey\n"
        "from accounts.services import revoke_api_key\n"
        f"k = ApiKey.objects.get(pk={key.pk})\n"
        "revoke_api_key(k, actor=k.user)\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        check=True,
        capture_output=True,
    )
    revoked_at = None
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline and revoked_at is None:
        revoked_at = key_for(raw).revoked_at
        time.sleep(0.05)
    assert revoked_at is not None


def _version() -> int:
    return ReferenceVersion.objects.filter(pk=1).values_list("n", flat=True).first() or 0


def test_a_login_keeps_every_processs_copy_but_a_profile_change_drops_it(client, dispatcher):
    before = _version()
    assert client.login(username="disp", password="pw-Secret-123")
    dispatcher.refresh_from_db()
    assert dispatcher.last_login is not None  # the login did save the user
    assert _version() == before
    dispatcher.first_name = "Wei"
    dispatcher.save(update_fields=["first_name", "last_login"])
    assert _version() == before + 1
    dispatcher.save()
    assert _version() == before + 2
