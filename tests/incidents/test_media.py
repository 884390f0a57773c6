"""Uploads (photos, signatures) go out only to users who may see their incident (issue 13,
finding 1): through a view that maps the stored file to its incident, never as a public
directory; in production the front server sends the file on the view's internal redirect."""

import base64
import io
import re

import pytest
from PIL import Image

from assessments import services as assessment_services
from incidents import services
from tests import factories
from tests.incidents.test_views import png_file


def _signature() -> str:
    image = Image.new("RGBA", (60, 20), (0, 0, 0, 0))
    for x in range(10, 50):
        image.putpixel((x, 10), (0, 0, 0, 255))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.fixture
def signed_job(org, dispatcher, technician):
    """A resolved job of ``technician`` with a photo and the customer's signature."""
    incident = factories.report(dispatcher)
    services.confirm_incident(incident, actor=dispatcher)
    services.dispatch_incident(incident, actor=dispatcher, assignee=technician)
    services.arrive_incident(incident, actor=technician)
    photo = services.add_photo(incident, actor=technician, image=png_file("IMG_0001.png"))
    services.resolve_incident(incident, actor=technician, resolution="Replaced the contactor.")
    incident.refresh_from_db()
    signoff = assessment_services.record_signoff(
        incident, actor=technician, signer_name="张伟", signature=_signature()
    )
    return {"incident": incident, "photo": photo, "signoff": signoff}


@pytest.fixture
def partner(db):
    """An account with no role (a partner's login): it sees no incident."""
    return factories.UserFactory(username="partner", roles=[])


def _urls(job) -> list[str]:
    return [job["photo"].image.url, job["signoff"].signature.url]


def test_uploads_are_hidden_from_users_who_cannot_see_the_incident(
    signed_job, other_technician, partner, login
):
    for user in (other_technician, partner):
        client = login(user)
        for url in _urls(signed_job):
            assert client.get(url).status_code == 404, (user.username, url)


def test_the_assignee_gets_the_photo_and_the_signature(signed_job, technician, login):
    client = login(technician)
    for url in _urls(signed_job):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, no-store"


def test_anonymous_visitors_are_sent_to_log_in(signed_job, client):
    for url in _urls(signed_job):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_file_no_record_owns_is_not_served(signed_job, technician, login, settings):
    stray = settings.MEDIA_ROOT / "incidents" / "stray.png"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"\x89PNG")
    client = login(technician)
    assert client.get("/media/incidents/stray.png").status_code == 404
    assert client.get("/media/../config/settings.py").status_code == 404


def test_in_production_the_front_server_sends_the_file(signed_job, technician, login, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    client = login(technician)
    for field in (signed_job["photo"].image, signed_job["signoff"].signature):
        response = client.get(field.url)
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == f"/protected-media/{field.name}"
        assert response["Content-Type"] == "image/png"
        assert response.content == b""
    photo_page = client.get(
        f"/incidents/{signed_job['incident'].pk}/photos/{signed_job['photo'].pk}/"
    )
    assert photo_page["X-Accel-Redirect"].startswith("/protected-media/incidents/")


def test_stored_names_are_random_not_the_camera_name(signed_job):
    incident_id = signed_job["incident"].pk
    assert re.fullmatch(
        rf"incidents/{incident_id}/[0-9a-f]{{32}}\.png", signed_job["photo"].image.name
    )
    assert re.fullmatch(
        rf"signatures/{incident_id}/[0-9a-f]{{32}}\.png", signed_job["signoff"].signature.name
    )
