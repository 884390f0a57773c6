"""Serializer fields built once per class (core.api.serializers.PrebuiltFieldsMixin): each
instance still gets fields of its own, bound to itself."""

from incidents.api import serializers as s


def test_each_instance_has_its_own_bound_fields():
    a = s.IncidentCreateSerializer(data={})
    b = s.IncidentCreateSerializer(data={}, context={"x": 1})
    assert a.fields["title"] is not b.fields["title"]
    assert a.fields["title"].parent is a and b.fields["title"].parent is b
    assert b.fields["title"].context == {"x": 1}


def test_changing_an_instances_fields_leaves_the_class_alone():
    update = s.IncidentUpdateSerializer(data={})
    assert not update.fields["title"].required
    create = s.IncidentCreateSerializer(data={})
    assert create.fields["title"].required
    assert s.IncidentUpdateSerializer(data={}).fields["title"].required is False
    assert not create.is_valid()
    assert set(create.errors) == {"title", "category", "grade"}


def test_the_representation_is_the_one_drf_builds_itself(db, org, dispatcher):
    from rest_framework import serializers

    from incidents import services
    from incidents.services.rules import active_category

    incident = services.report_incident(
        actor=dispatcher, title="t", category=active_category("safety-accident"), grade="I"
    )
    drf = s.IncidentSerializer(incident)
    drf.__dict__["fields"] = serializers.Serializer.fields.func(drf)  # DRF's per-instance build
    ours = s.IncidentSerializer(incident)
    assert ours.data == drf.data
    assert ours.data["number"] == incident.number
    assert ours.data["category"] == "safety-accident"
