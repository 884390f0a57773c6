"""Technicians' skill records, kept by managers in the desk."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.roles import TECHNICIAN
from core.types import Actor
from dispatch.models import SkillKind, TechnicianSkill

PERM = "dispatch.change_technicianskill"


def _require(actor: Actor) -> None:
    if actor is not None and not actor.has_perm(PERM):
        raise PermissionDenied(_("Only a manager may change skill records."))


def technicians():
    """Active technicians, by name."""
    return (
        get_user_model()
        .objects.filter(groups__name=TECHNICIAN, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def add_skill(
    user,
    *,
    actor: Actor,
    kind: str,
    powertrain: str = "",
    vehicle_model=None,
    name: str = "",
    certificate: str = "",
    valid_until: date | None = None,
) -> TechnicianSkill:
    """Record a skill of technician ``user``. A powertrain skill names the powertrain, a
    model skill the model, another skill its name; the HV qualification needs the last
    day it is valid."""
    _require(actor)
    if not user.groups.filter(name=TECHNICIAN).exists():
        raise ValidationError({"user": [_("Only a technician has skill records.")]})
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if kind == SkillKind.POWERTRAIN and not powertrain:
        errors["powertrain"] = [_("Choose the powertrain.")]
    if kind == SkillKind.MODEL and vehicle_model is None:
        errors["vehicle_model"] = [_("Choose the vehicle model.")]
    if kind == SkillKind.HV and valid_until is None:
        errors["valid_until"] = [_("An HV qualification needs the date it expires.")]
    if kind == SkillKind.OTHER and not name:
        errors["name"] = [_("Name the skill.")]
    if kind not in SkillKind.values:
        errors["kind"] = [_("Unknown kind of skill.")]
    if errors:
        raise ValidationError(errors)
    return TechnicianSkill.objects.create(
        user=user,
        kind=kind,
        powertrain=powertrain if kind == SkillKind.POWERTRAIN else "",
        vehicle_model=vehicle_model if kind == SkillKind.MODEL else None,
        name=name if kind == SkillKind.OTHER else "",
        certificate=(certificate or "").strip(),
        valid_until=valid_until,
    )


def remove_skill(skill: TechnicianSkill, *, actor: Actor) -> None:
    _require(actor)
    skill.delete()
