"""Issue 13, finding 8: an administrator sends a user a one-time link to set a new password."""

import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_emails_a_reset_link_that_sets_a_new_password_once(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    wei = UserFactory(username="wei", email="wei@example.com", password="old-Secret-123")
    nomail = UserFactory(username="nomail", email="")
    client.force_login(admin)
    response = client.post(
        "/admin/auth/user/",
        {"action": "send_password_reset_link", "_selected_action": [wei.pk, nomail.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "wei" in page and "no link sent" in page
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wei@example.com"]
    link = re.search(r"https?://\S+/profile/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    anon = client.__class__()
    form_page = anon.get("/" + path, follow=True)
    assert 'name="new_password1"' in form_page.content.decode()
    done = anon.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "new-Lantern-987", "new_password2": "new-Lantern-987"},
    )
    assert done.status_code == 302 and done["Location"] == "/login/"
    wei.refresh_from_db()
    assert wei.check_password("new-Lantern-987")
    # The link is spent.
    again = anon.get("/" + path, follow=True).content.decode()
    assert 'name="new_password1"' not in again


def test_only_staff_may_send_reset_links():
    from django.core.exceptions import PermissionDenied

    from accounts.services import send_password_reset

    with pytest.raises(PermissionDenied):
        send_password_reset(UserFactory(email="a@example.com"), actor=UserFactory())
