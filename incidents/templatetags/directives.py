from django import template

from incidents.services import directive_text

register = template.Library()


@register.filter
def instruction(directive) -> str:
    """A directive's instruction in the reader's language (see services.directive_text)."""
    return directive_text(directive)
