"""Issue 13, finding 9: marking notifications read returns only to a page of this site."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/phish", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_mark_read_does_not_redirect_off_site(dispatcher_client, target):
    response = dispatcher_client.post("/notifications/read/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"


def test_mark_read_returns_to_a_local_page(dispatcher_client):
    response = dispatcher_client.post("/notifications/read/", {"next": "/incidents/?status=open"})
    assert response["Location"] == "/incidents/?status=open"
