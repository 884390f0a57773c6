"""factory_boy factories. Incidents are built through the services, not objects.create."""

from datetime import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from incidents import services
from incidents.models import Category
from teams.models import Membership, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-Secret-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    kind = "service_centre"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"


ORG_TEAMS = [
    ("hq", "hq", "Emergency HQ"),
    ("tech", "tech_support", "Technical support group"),
    ("cs", "customer_service", "Customer service group"),
    ("logistics", "logistics", "Logistics group"),
    ("legal", "legal", "Legal and compliance group"),
    ("service_centre", "service_centre", "East service centre"),
    ("service_centre_2", "service_centre", "West service centre"),
]


def make_org() -> dict:
    """The command structure: HQ with a commander and two deputies, every group with a
    leader, two service centres."""
    org: dict = {}
    for key, kind, name in ORG_TEAMS:
        org[key] = TeamFactory(slug=key.replace("_", "-"), kind=kind, name=name)
    org["commander"] = UserFactory(username="commander", roles=["manager"])
    MembershipFactory(team=org["hq"], user=org["commander"], role="leader")
    org["deputies"] = []
    for n in (1, 2):
        deputy = UserFactory(username=f"deputy{n}", roles=["manager"])
        MembershipFactory(team=org["hq"], user=deputy, role="deputy")
        org["deputies"].append(deputy)
    for key in ("tech", "cs", "logistics", "legal"):
        leader = UserFactory(username=f"{key}-leader")
        MembershipFactory(team=org[key], user=leader, role="leader")
        org[f"{key}_leader"] = leader
    return org


def category(slug: str = "product-quality") -> Category:
    return Category.objects.get(slug=slug)


def report(
    actor=None,
    *,
    grade: str = "III",
    title: str = "Battery will not charge",
    category_slug: str = "product-quality",
    reported_at: datetime | None = None,
    now: datetime | None = None,
    **fields,
):
    """Report an incident through the service (as the system unless ``actor`` is given)."""
    fields.setdefault("customer_name", "Zhang Wei")
    fields.setdefault("customer_phone", "+86 138 0000 0000")
    fields.setdefault("asset_ref", "LSVAU2180N2000001")
    return services.report_incident(
        actor=actor,
        title=title,
        category=category(category_slug),
        grade=grade,
        reported_at=reported_at,
        now=now or timezone.now(),
        **fields,
    )
