"""Signatures (a canvas data URL): an image bomb is refused from its header, before it is
decoded, as a form error, never a 500 (issue 13, finding 4)."""

import base64

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import ImageFile

from assessments import services
from assessments.models import TechnicianSignOff
from tests.assessments.test_services import _resolved_by
from tests.incidents.test_media_checks import bomb_png


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def never_decoded(monkeypatch):
    decoded = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    yield decoded
    assert not decoded, f"decoded {decoded}"


def test_a_signature_bomb_is_refused_before_it_is_decoded(org, technician, never_decoded):
    incident = _resolved_by(org, technician)
    with pytest.raises(ValidationError) as err:
        services.record_signoff(
            incident, actor=technician, signer_name="张伟", signature=_data_url(bomb_png())
        )
    assert "signature" in err.value.message_dict


def test_a_technician_signature_bomb_is_a_form_error_on_the_page(org, technician, login):
    incident = _resolved_by(org, technician)
    response = login(technician).post(
        reverse("assessments:technician_signoff", args=[incident.pk]),
        {"signature": _data_url(bomb_png())},
    )
    assert response.status_code == 422
    assert "too large" in response.content.decode()
    assert not TechnicianSignOff.objects.filter(incident=incident).exists()
