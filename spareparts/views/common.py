"""What the spare-parts pages share."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect

from core.web import form_errors_text, run_service, safe_next
from spareparts.models import Part

PAGE_SIZE = 50


def paginate(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def form_errors(request, form) -> None:
    """A bound form's errors as one message, each after its field's label."""
    messages.error(request, form_errors_text(form, labels=True))


def back(request, default: str):
    """Redirect to the posted ``next`` if it is safe, else ``default``."""
    return redirect(safe_next(request, default))


def sku_suggestions() -> list[str]:
    return list(
        Part.objects.filter(is_active=True).order_by("sku").values_list("sku", flat=True)[:300]
    )


def run_action(request, actions: dict, action: str, obj) -> bool:
    """Run the service that ``actions`` (a page's declared map: action → (service, what to
    say when it worked)) names for ``action`` on ``obj``, saying the outcome as a message.
    Http404 for an action the page does not have."""
    if action not in actions:
        raise Http404
    service, said = actions[action]
    return run_service(request, lambda: service(obj, actor=request.user), str(said))
