"""Filters that render escalation codes in the reader's language (escalation.labels)."""

from django import template

from escalation import labels

register = template.Library()


@register.filter
def duration(seconds) -> str:
    return labels.duration(seconds)


@register.filter
def chain_name(name) -> str:
    return labels.chain_name(name or "")


@register.filter
def step_key(key, reminder=False) -> str:
    return labels.step_key_label(key or "", reminder=bool(reminder))
