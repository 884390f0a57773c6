"""Customer name and phone, and webhook secrets, encrypted at rest (core/crypto.py): what the
database holds, exact search through the blind indexes on every write path, a wrong key,
key rotation, the production guards."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from core import crypto
from incidents.models import Incident
from notifications.channels import sign
from notifications.models import WebhookEndpoint
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
KEY_A, KEY_B = crypto.generate_key(), crypto.generate_key()
FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}  # "1" -> "\uff11", as an IME types


def stored(incident, *columns):
    """The columns as the database holds them (past the fields, which decrypt)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM incidents_incident WHERE id = %s",  # noqa: S608
            [incident.pk],
        )
        return cursor.fetchone()


# --- the stored form ---------------------------------------------------------------------


@pytest.mark.parametrize("write_path", ["portable", "accelerated"], indirect=True)
def test_the_database_holds_ciphertext_and_python_reads_plain_text(org, dispatcher, write_path):
    incident = factories.report(
        dispatcher, customer_name="周建华 Zhou Jianhua", customer_phone="+86 139 0171 2233"
    )
    name, phone, name_idx, phone_idx = stored(
        incident, "customer_name", "customer_phone", "customer_name_bidx", "customer_phone_bidx"
    )
    for value in (name, phone):
        assert value.startswith("enc1:")
        assert "139" not in value and "Zhou" not in value and "周" not in value
    assert name_idx == crypto.blind_index("name", "周建华 zhou jianhua")
    assert phone_idx == crypto.blind_index("phone", "13901712233")
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.customer_name, fresh.customer_phone) == (
        "周建华 Zhou Jianhua",
        "+86 139 0171 2233",
    )
    assert Incident.objects.filter(pk=incident.pk).values_list("customer_phone", flat=True)[0] == (
        "+86 139 0171 2233"
    )


def test_the_same_phone_encrypts_differently_each_time(org, dispatcher):
    one = factories.report(dispatcher, customer_phone="13800138000")
    two = factories.report(dispatcher, customer_phone="13800138000")
    (a, ia), (b, ib) = (stored(i, "customer_phone", "customer_phone_bidx") for i in (one, two))
    assert a != b  # a fresh nonce each time: equal phones are not visible as equal
    assert ia == ib  # only the keyed blind index is


def test_an_empty_customer_stays_empty(org, dispatcher):
    incident = factories.report(dispatcher, customer_name="", customer_phone="")
    assert stored(incident, "customer_name", "customer_phone_bidx") == ("", "")
    assert Incident.objects.filter(customer_phone="").filter(pk=incident.pk).exists()


# --- blind index normalisation -----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "0086 13800138000",
        "8613800138000",
        "(+86) 138 0013 8000",
        "13800138000".translate(FULL_WIDTH),  # full-width digits from a Chinese IME
    ],
)
def test_a_phone_is_indexed_the_same_however_it_is_typed(typed):
    assert crypto.normalise_phone(typed) == "13800138000"
    assert crypto.blind_index("phone", typed) == crypto.blind_index("phone", "13800138000")


def test_only_what_is_typed_as_a_phone_is_searched_as_one():
    from incidents.services.lookup import looks_like_phone

    assert looks_like_phone("+86 (138) 0013-8000")
    assert not looks_like_phone("LSVAU2180N0500000")  # a VIN: digits, but letters too
    assert not looks_like_phone("AS-20261123-000042")
    assert not looks_like_phone("138 00")  # still being typed


def test_a_landline_with_the_country_code_keeps_its_trunk_zero():
    assert crypto.normalise_phone("+86 21 5550 0101") == crypto.normalise_phone("021-5550-0101")
    assert crypto.normalise_phone("021 5550 0101") == "02155500101"


def test_names_are_indexed_without_case_or_spacing():
    assert crypto.blind_index("name", "  Li  Na ") == crypto.blind_index("name", "li na")
    assert crypto.blind_index("name", "LI NA".translate(FULL_WIDTH)) == crypto.blind_index(
        "name", "Li Na"
    )
    assert crypto.blind_index("name", "Li Na") != crypto.blind_index("name", "Li Nan")
    # A name and a phone that are the same text do not share an index value.
    assert crypto.blind_index("name", "12345678") != crypto.blind_index("phone", "12345678")


def test_a_lone_surrogate_hashes_instead_of_failing():
    # JSON may carry one; the index of a malformed name matches nothing stored.
    assert crypto.blind_index("name", "\ud800") != crypto.blind_index("name", "")


def test_the_blind_index_depends_on_its_key(settings):
    before = crypto.blind_index("phone", "13800138000")
    settings.BLIND_INDEX_KEY = KEY_A
    assert crypto.blind_index("phone", "13800138000") != before


# --- exact search ------------------------------------------------------------------------


@pytest.mark.parametrize("write_path", ["portable", "accelerated"], indirect=True)
def test_the_list_finds_an_incident_by_its_exact_phone_or_name(
    org, dispatcher, dispatcher_client, write_path
):
    mine = factories.report(dispatcher, customer_name="Li Na", customer_phone="+86 138 0013 8000")
    other = factories.report(dispatcher, customer_name="Li Nan", customer_phone="13800138001")
    url = reverse("incidents:list")
    for text in ("138 0013 8000", "13800138000", "+86-138-0013-8000", "li na", " LI NA "):
        page = dispatcher_client.get(url, {"search": text}).content.decode()
        assert mine.number in page, text
        assert other.number not in page, text
    # Part of a phone or a name finds nothing (ciphertext has no substrings).
    for text in ("0013 8000", "Li"):
        assert mine.number not in dispatcher_client.get(url, {"search": text}).content.decode()


def test_the_api_search_finds_an_incident_by_its_exact_phone(org, dispatcher):
    from rest_framework.test import APIClient

    mine = factories.report(dispatcher, customer_phone="+86 137 5522 0912")
    factories.report(dispatcher, customer_phone="+86 137 5522 0913")
    client = APIClient()
    client.force_authenticate(dispatcher)
    found = client.get("/api/v1/incidents/", {"search": "13755220912"}).json()
    assert [row["id"] for row in found["results"]] == [mine.pk]


def test_the_caller_lookup_finds_earlier_incidents_by_phone(org, dispatcher, dispatcher_client):
    earlier = factories.report(dispatcher, customer_phone="+86 136 2288 4410")
    response = dispatcher_client.get(
        reverse("incidents:caller_history"), {"customer_phone": "136-2288-4410"}
    )
    assert [i.pk for i in response.context["history"].by_phone] == [earlier.pk]


def test_an_exact_filter_on_the_field_goes_through_its_blind_index(org, dispatcher):
    mine = factories.report(dispatcher, customer_name="Wang Li", customer_phone="13500667788")
    assert list(Incident.objects.filter(customer_phone="+86 135 0066 7788")) == [mine]
    assert list(Incident.objects.filter(customer_name="wang li")) == [mine]
    sql = str(Incident.objects.filter(customer_phone="13500667788").query)
    assert "customer_phone_bidx" in sql


def test_a_substring_lookup_on_an_encrypted_field_is_refused(db):
    with pytest.raises(FieldError, match="encrypted"):
        list(Incident.objects.filter(customer_name__icontains="wang"))


def test_every_update_path_keeps_the_blind_index_in_step(org, dispatcher):
    incident = factories.report(dispatcher, customer_phone="13800000001")

    def found(phone):
        return Incident.objects.filter(customer_phone_bidx=crypto.blind_index("phone", phone))

    incident.customer_phone = "13800000002"
    incident.save(update_fields=["customer_phone"])
    assert list(found("13800000002")) == [incident]

    Incident.objects.filter(pk=incident.pk).update(customer_phone="13800000003")
    assert list(found("13800000003")) == [incident]
    assert not found("13800000002").exists()

    incident.refresh_from_db()
    incident.customer_phone = "13800000004"
    Incident.objects.bulk_update([incident], ["customer_phone"])
    assert list(found("13800000004")) == [incident]

    # Erased: the index goes with the phone, nobody finds the incident by it any more.
    Incident.objects.filter(pk=incident.pk).update(customer_phone="")
    assert stored(incident, "customer_phone", "customer_phone_bidx") == ("", "")
    assert not found("13800000004").exists()


# --- keys --------------------------------------------------------------------------------


def test_a_wrong_key_is_a_clear_error_not_garbage(org, dispatcher, settings):
    incident = factories.report(dispatcher, customer_phone="13800138000")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(crypto.FieldDecryptionError) as error:
        Incident.objects.get(pk=incident.pk)
    message = str(error.value)
    assert "incidents.Incident.customer_" in message
    assert "not in FIELD_ENCRYPTION_KEYS" in message
    assert crypto.token_key_id(stored(incident, "customer_phone")[0]) in message


def test_a_key_with_the_right_id_but_other_bytes_is_refused(org, dispatcher):
    token = crypto.encrypt("13800138000")
    body = token.rsplit(":", 1)[1]
    tampered = token[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(crypto.FieldDecryptionError, match="does not decrypt"):
        crypto.decrypt(tampered)


def test_rotation_reencrypts_everything_under_the_new_key(org, dispatcher, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    incidents = [
        factories.report(
            dispatcher, customer_name=f"Customer {n}", customer_phone=f"1390000{n:04d}"
        )
        for n in range(5)
    ]
    hook = WebhookEndpoint.objects.create(
        name="ERP", url="https://erp.example.com/hook", secret="s3cret-signing-key"
    )

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]  # the new key first, the old one kept
    call_command("rotate_field_keys", "--batch-size", "2", stdout=open(os.devnull, "w"))  # noqa: SIM115

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # the old key removed
    for n, incident in enumerate(incidents):
        fresh = Incident.objects.get(pk=incident.pk)
        assert (fresh.customer_name, fresh.customer_phone) == (f"Customer {n}", f"1390000{n:04d}")
    assert WebhookEndpoint.objects.get(pk=hook.pk).secret == "s3cret-signing-key"
    assert list(Incident.objects.filter(customer_phone="139 0000 0003")) == [incidents[3]]


def test_rotation_is_idempotent_and_reports_what_it_did(org, dispatcher, settings):
    from io import StringIO

    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    factories.report(dispatcher)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    first, second = StringIO(), StringIO()
    call_command("rotate_field_keys", stdout=first)
    call_command("rotate_field_keys", stdout=second)
    assert "incidents.Incident: 1 rows read, 1 rewritten" in first.getvalue()
    assert "incidents.Incident: 1 rows read, 0 rewritten" in second.getvalue()


def test_rotation_recomputes_the_blind_indexes_after_a_new_index_key(org, dispatcher, settings):
    incident = factories.report(dispatcher, customer_phone="13800138000")
    settings.BLIND_INDEX_KEY = KEY_A
    assert not Incident.objects.filter(customer_phone="13800138000").exists()
    call_command("rotate_field_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert list(Incident.objects.filter(customer_phone="13800138000")) == [incident]


def test_rotation_stops_with_the_row_it_cannot_decrypt(org, dispatcher, settings):
    from django.core.management.base import CommandError

    incident = factories.report(dispatcher)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(CommandError, match=f"incidents.Incident {incident.pk}"):
        call_command("rotate_field_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_generate_key_prints_a_usable_key():
    from io import StringIO

    out = StringIO()
    call_command("rotate_field_keys", "--generate-key", stdout=out)
    ring = crypto.Keyring([out.getvalue().strip()])
    assert ring.decrypt(ring.encrypt("x")) == "x"


# --- webhook secrets ---------------------------------------------------------------------


def test_a_webhook_secret_is_encrypted_and_still_signs(db):
    hook = WebhookEndpoint.objects.create(
        name="ERP", url="https://erp.example.com/hook", secret="s3cret-signing-key"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_webhookendpoint WHERE id = %s", [hook.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("enc1:") and "s3cret" not in raw
    fresh = WebhookEndpoint.objects.get(pk=hook.pk)
    assert sign(fresh.secret, 1, b"{}") == sign("s3cret-signing-key", 1, b"{}")


# --- production guards -------------------------------------------------------------------


def _production_settings(**extra):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "ALLOWED_HOSTS": "example.com",
        "SECRET_KEY": "x" * 64,
        **extra,
    }
    for name in ("FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        if name not in extra:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_keys_or_with_the_dev_keys():
    missing = _production_settings()
    assert missing.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set" in missing.stderr
    dev = _production_settings(
        FIELD_ENCRYPTION_KEYS=crypto.DEV_FIELD_ENCRYPTION_KEY, BLIND_INDEX_KEY=KEY_A
    )
    assert "development encryption keys" in dev.stderr
    own = _production_settings(FIELD_ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}", BLIND_INDEX_KEY=KEY_A)
    assert own.returncode == 0, own.stderr


def test_the_deploy_check_reports_dev_and_malformed_keys(settings):
    assert [e.id for e in crypto.check_keys()] == ["core.E101"]  # the test settings: dev keys
    settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY = [KEY_A], KEY_B
    assert crypto.check_keys() == []
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    assert [e.id for e in crypto.check_keys()] == ["core.E102"]
