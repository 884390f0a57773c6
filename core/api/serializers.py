"""Serializer machinery shared by every app's API."""

import copy
import threading

from django.db import models
from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField
from rest_framework.utils.serializer_helpers import BindingDict

from core.api.fields import DateTimeField

# Fields that hold other fields (a child, a nested serializer) are deep-copied: binding
# them binds their children too.
_COMPOSITE = (
    serializers.BaseSerializer,
    ManyRelatedField,
    serializers.ListField,
    serializers.DictField,
)
_build_lock = threading.Lock()


class PrebuiltFieldsMixin:
    """Build a serializer class's fields once per process, not once per instance.

    DRF builds every field anew for each serializer instance: a deep copy of the declared
    fields and, for a ModelSerializer, a walk over the model's fields with their
    validators and choices. For the incident representation that costs more than the
    request's database work. With this mixin the class builds (and binds) them once; each
    instance gets its own shallow copies pointed at the instance. Subclasses
    must not change ``get_fields()``'s result per instance (do that in ``__init__`` on
    ``self.fields``, which holds the instance's own copies).
    """

    @cached_property
    def fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_prebuilt_fields")
        if prototypes is None:
            with _build_lock:
                prototypes = cls.__dict__.get("_prebuilt_fields")
                if prototypes is None:
                    prototypes = _prototypes(self)
                    cls._prebuilt_fields = prototypes
        fields = BindingDict(self)
        for name, field, composite in prototypes:
            if composite:
                fields[name] = copy.deepcopy(field)  # bind() binds its children too
            else:
                clone = _clone(field)
                clone.parent = self
                # Already bound (name, label, source): only the parent differs, so skip
                # BindingDict's bind() call.
                fields.fields[name] = clone
        return fields


def _prototypes(serializer) -> list:
    """The class's fields, each simple one bound once (``bind()`` derives the label,
    source and source path from the name alone) and then detached from this instance."""
    prototypes = []
    for name, field in serializer.get_fields().items():
        composite = isinstance(field, _COMPOSITE)
        if not composite:
            field.bind(field_name=name, parent=serializer)
            field.parent = None
        prototypes.append((name, field, composite))
    return prototypes


def _clone(field):
    """A shallow copy, without copy.copy()'s generic (and slower) reduce protocol."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


class ModelSerializer(serializers.ModelSerializer):
    """The project's ModelSerializer: every app's API serializers derive from it.

    A model ``DateTimeField`` becomes the bounded ``core.api.fields.DateTimeField`` (ISO
    8601 within the years 1970 to 2100), for this project's serializers only.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }
