"""Users of every role and incidents at each stage, for the customer-data tests."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from incidents import services
from tests import factories

NAME, PHONE = "张伟", "13812341234"


def png_data_url() -> str:
    image = Image.new("RGBA", (60, 20), (0, 0, 0, 0))
    for x in range(10, 50):
        image.putpixel((x, 10), (0, 0, 0, 255))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def png_file(name="site.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def legal(db):
    return factories.UserFactory(username="legal", roles=["legal"])


@pytest.fixture
def logistics(db):
    return factories.UserFactory(username="logi", roles=["logistics"])


@pytest.fixture
def partner(db, org):
    """A partner account: no role, a member of the service centre (sees its jobs)."""
    user = factories.UserFactory(username="partner", roles=[])
    factories.MembershipFactory(team=org["service_centre"], user=user)
    return user


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def job(org, technician):
    """An incident dispatched to the technician (open)."""
    incident = factories.report(customer_name=NAME, customer_phone=PHONE)
    services.confirm_incident(incident, actor=None)
    services.dispatch_incident(
        incident, actor=None, assignee=technician, team=org["service_centre"]
    )
    incident.refresh_from_db()
    return incident


def resolve(incident, technician):
    services.arrive_incident(incident, actor=technician)
    services.resolve_incident(incident, actor=technician, resolution="Replaced the contactor.")
    incident.refresh_from_db()
    return incident


def close(incident, technician, now=None):
    resolve(incident, technician)
    services.close_incident(incident, actor=None, now=now or timezone.now())
    incident.refresh_from_db()
    return incident
