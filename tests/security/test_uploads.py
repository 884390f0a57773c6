"""The photo cap holds before the body is received (issue 13, finding 9): a multipart body
longer than any photo is answered 413 from its declared length, before anything reads it;
a file just past the cap is not kept to its end and the form says it is too large."""

import http.client
import io
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from PIL import Image

from incidents import services
from tests import factories

MB = 1024 * 1024


@pytest.fixture
def job(org, dispatcher, technician):
    incident = factories.report(dispatcher)
    services.confirm_incident(incident, actor=dispatcher)
    return services.dispatch_incident(incident, actor=dispatcher, assignee=technician)


def _png(size: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue() + b"\0" * (size - len(out.getvalue()))


@pytest.mark.django_db(transaction=True)
def test_a_real_oversized_post_is_refused_before_its_body_is_sent(
    job, technician_client, live_server
):
    """Over a socket, as a browser sends it: the headers and the first bytes of a 60 MB
    upload get their 413 while the rest has not been sent."""
    url = reverse("incidents:add_photo", args=[job.pk])
    host = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    conn.putrequest("POST", url)
    conn.putheader("Content-Type", "multipart/form-data; boundary=xyz")
    conn.putheader("Content-Length", str(60 * MB))
    conn.putheader("Cookie", f"sessionid={technician_client.cookies['sessionid'].value}")
    conn.endheaders()
    conn.send(b'--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n')
    conn.send(_png(64 * 1024))  # 64 KB of the 60 MB announced, then we wait for the answer
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    assert response.status == 413
    assert "The upload is larger than 12 MB" in body
    assert not job.photos.exists()


@pytest.mark.django_db
def test_an_oversized_photo_is_413_in_the_readers_language(job, technician_client):
    technician_client.cookies["django_language"] = "zh-hans"
    photo = io.BytesIO(_png(13 * MB + 100))
    photo.name = "big.png"
    response = technician_client.post(
        reverse("incidents:add_photo", args=[job.pk]), {"image": photo, "caption": "x"}
    )
    assert response.status_code == 413
    assert "上传的文件超过 12 MB" in response.content.decode()
    assert response["Content-Security-Policy"]
    assert not job.photos.exists()


@pytest.mark.django_db
def test_the_api_answers_413_in_json(org, dispatcher_client):
    response = dispatcher_client.post(
        "/api/v1/incidents/",
        data=b"--xyz\r\n",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(40 * MB),
    )
    assert response.status_code == 413
    assert "larger than 12 MB" in response.json()["detail"]


@pytest.mark.django_db
def test_a_file_just_past_the_cap_is_not_kept_and_the_form_says_so(
    job, technician_client, settings
):
    """Within the allowance for the other fields the body is read, but the file is not
    kept past the cap: the form gets a stand-in of its size and says it is too large."""
    from django.core.files.uploadhandler import MemoryFileUploadHandler

    settings.MAX_PHOTO_BYTES = 200 * 1024
    kept = []
    real = MemoryFileUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        kept.append(len(raw_data))
        return real(self, raw_data, start)

    photo = io.BytesIO(_png(600 * 1024))
    photo.name = "big.png"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(MemoryFileUploadHandler, "receive_data_chunk", spy)
        response = technician_client.post(
            reverse("incidents:add_photo", args=[job.pk]), {"image": photo}, follow=True
        )
    assert "The photo is too large." in response.content.decode()
    assert 0 < sum(kept) <= 200 * 1024  # what Django's handler was given to keep
    assert not job.photos.exists()
