"""Who may log in, and the links each role is shown: only to pages it may open."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.roles import role_labels
from tests import factories

PASSWORD = "pw-Secret-123"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_system_account_cannot_log_in_with_a_password(url):
    factories.UserFactory(username="tsp", roles=["integration"], is_staff=True)
    person = factories.UserFactory(username="desk", roles=["dispatcher"], is_staff=True)
    for username, expected in (("tsp", False), ("desk", True)):
        client = Client()
        response = client.post(url, {"username": username, "password": PASSWORD})
        logged_in = "_auth_user_id" in client.session
        assert logged_in is expected, (username, response.status_code)
    assert person.is_active


@pytest.mark.django_db
def test_system_account_answer_is_the_same_as_a_wrong_password():
    factories.UserFactory(username="tsp", roles=["integration"])
    wrong = Client().post("/login/", {"username": "nobody", "password": "x"})
    system = Client().post("/login/", {"username": "tsp", "password": PASSWORD})
    assert wrong.status_code == system.status_code == 200
    assert wrong.context["form"].errors == system.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "href", "shown"),
    [
        ("manager", "/assessments/", True),
        ("dispatcher", "/assessments/actions/", True),
        ("dispatcher", "/assessments/", False),
        ("legal", "/assessments/", False),
        ("technician", "/assessments/", False),
    ],
)
def test_assessments_link_only_where_the_role_may_open_it(role, href, shown):
    user = factories.UserFactory(roles=[role])
    client = Client()
    client.force_login(user)
    html = client.get(reverse("teams:list")).content.decode()
    assert (f'href="{href}"' in html) is shown
    if shown:
        assert client.get(href).status_code == 200


@pytest.mark.django_db
def test_technician_sees_directive_links_only_for_own_teams(org):
    tech = factories.UserFactory(roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=tech)
    client = Client()
    client.force_login(tech)
    html = client.get(reverse("teams:list")).content.decode()
    own = reverse("teams:directives", args=[org["service_centre"].pk])
    other = reverse("teams:directives", args=[org["hq"].pk])
    assert own in html and other not in html
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404


@pytest.mark.django_db
def test_role_names_read_in_the_readers_language():
    user = factories.UserFactory(roles=["legal", "dispatcher"])
    with translation.override("zh-hans"):
        labels = role_labels(user)
    assert labels == ["调度员", "法务合规"]


@pytest.mark.django_db
def test_member_title_in_the_readers_language(org):
    user = factories.UserFactory(roles=["technician"])
    factories.MembershipFactory(
        team=org["service_centre"], user=user, title="Field technician", title_zh="维修技师"
    )
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    zh = client.get(reverse("teams:list")).content.decode()
    assert "维修技师" in zh and "Field technician" not in zh
    client.cookies["django_language"] = "en"
    en = client.get(reverse("profile")).content.decode()
    assert "Field technician" in en and "Technician" in en
