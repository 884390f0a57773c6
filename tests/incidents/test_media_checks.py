"""Uploaded photos: image bombs refused from the header, long bodies refused before they are
read, metadata (GPS) stripped (issue 13, findings 4 and 5)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from incidents import services
from tests import factories


def bomb_png() -> bytes:
    """12000 x 12000 pixels (144 MP) in about 100 KB: one bit per pixel, all zero."""
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")
    return buf.getvalue()


def jpeg_with_gps() -> bytes:
    """A 40 x 20 JPEG whose EXIF holds a GPS position and says "rotate 90°" (orientation 6)."""
    image = Image.new("RGB", (40, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned
    exif[0x010F] = "PhoneMaker"  # camera make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 14.0, 0.0)  # latitude
    gps[3], gps[4] = "E", (121.0, 28.0, 0.0)  # longitude
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


@pytest.fixture
def job(org, dispatcher, technician):
    incident = factories.report(dispatcher)
    services.confirm_incident(incident, actor=dispatcher)
    services.dispatch_incident(incident, actor=dispatcher, assignee=technician)
    return incident


@pytest.fixture
def never_decoded(monkeypatch):
    """Fails the test if any image is decoded (its pixels loaded)."""

    decoded = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    yield decoded
    assert not decoded, f"decoded {decoded}"


def _post(client, incident, data: bytes, name: str, **extra):
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    url = reverse("incidents:add_photo", args=[incident.pk])
    return client.post(url, {"image": upload, "caption": "x"}, **extra)


def test_an_image_bomb_is_refused_from_its_header(job, technician_client, never_decoded):
    data = bomb_png()
    assert len(data) < 200_000
    response = _post(technician_client, job, data, "bomb.png")
    assert response.status_code == 422
    assert "too large" in response.content.decode()
    assert not job.photos.exists()


def test_pillow_refuses_bombs_past_the_limit_too(settings):
    from core import images

    settings.MAX_IMAGE_PIXELS = 1_000_000
    images._pixel_limit()
    assert Image.MAX_IMAGE_PIXELS == 1_000_000


def test_a_body_longer_than_any_photo_is_refused_before_it_is_read(
    job, technician_client, settings
):
    settings.MAX_PHOTO_BYTES = 10_000
    response = _post(
        technician_client, job, b"\x89PNG" + b"0" * 100, "a.png", CONTENT_LENGTH="50000000"
    )
    assert response.status_code in (400, 413)
    assert not job.photos.exists()


def test_gps_and_camera_metadata_are_stripped_and_the_photo_kept_upright(job, technician_client):
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(0x8825)  # the test photo does carry a position
    response = _post(technician_client, job, jpeg_with_gps(), "IMG_0002.JPG")
    assert response.status_code == 302
    photo = job.photos.get()
    assert photo.image.name.endswith(".jpg")
    with photo.image.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert stored.size == (20, 40)  # turned as the orientation said, before it was dropped


def test_a_damaged_file_is_a_form_error(job, technician_client):
    response = _post(technician_client, job, b"\x89PNG\r\n\x1a\n broken", "x.png")
    assert response.status_code == 422
    assert not job.photos.exists()
