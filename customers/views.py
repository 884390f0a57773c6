"""The desk's customer pages: search, a customer's record and history, edit, merge."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, Q, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.crypto import blind_index
from core.web import SERVICE_ERRORS, apply_errors, error_text
from customers import display, phones, services
from customers.forms import CustomerForm, MergeForm, SearchForm
from customers.models import Customer, CustomerPhone

PAGE_SIZE = 25
HISTORY_SHOWN = 50
_NUMBER = re.compile(r"^#?\s*(\d{1,9})$")


def _with_phones(queryset):
    return queryset.prefetch_related(
        Prefetch("phones", queryset=CustomerPhone.objects.order_by("-is_primary", "id"))
    )


def search(queryset, text: str):
    """Customers matching ``text``: a phone (exact, by blind index), a customer number
    ("#42" or "42" alone) or a name (exact, case and spacing aside: names are encrypted,
    there are no substrings to search)."""
    text = (text or "").strip()
    if not text:
        return queryset
    number = _NUMBER.match(text)
    if number and len(number.group(1)) < 7:
        return queryset.filter(pk=int(number.group(1)))
    digits = phones.normalise(text)
    if digits:
        return queryset.filter(phones__number_bidx=blind_index("phone", digits))
    return queryset.filter(name_bidx=blind_index("name", text))


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request):
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    found = search(Customer.objects.filter(merged_into=None), text).order_by("-updated_at", "-id")
    page = Paginator(_with_phones(found), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, display.shown(request.user, c)) for c in page.object_list]
    return render(
        request,
        "customers/list.html",
        {"form": form, "page": page, "rows": rows, "query": text},
    )


def _history(request, customer: Customer):
    """The customer's incidents, open ones first, newest first. Customers sits below
    incidents: the roles that open customer records see every incident, so the record
    shows them only to a user with that permission."""
    if not request.user.has_perm("incidents.view_all_incidents"):
        return []
    still_open = Q(resolved_at__isnull=True, cancelled_at__isnull=True, closed_at__isnull=True)
    return list(
        customer.incidents.select_related("category").order_by(
            Case(When(still_open, then=0), default=1), "-reported_at"
        )[:HISTORY_SHOWN]
    )


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, pk: int):
    customer = get_object_or_404(_with_phones(Customer.objects.all()), pk=pk)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "shown": display.shown(request.user, customer),
            "incidents": _history(request, customer),
            "incident_count": customer.incidents.count(),
            "history_shown": HISTORY_SHOWN,
            "merges": customer.merges.select_related("merged_by"),
        },
    )


@login_required
@permission_required("customers.change_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk, merged_into=None, erased_at=None)
    shown = display.shown(request.user, _with_phones(Customer.objects.all()).get(pk=pk))
    # A role that sees customers masked changes only the consent: the form would show the
    # record in clear (the template renders only the consent for it).
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if shown.clear:
                services.update_customer(
                    customer,
                    actor=request.user,
                    name=data["name"],
                    language=data["language"],
                    wechat_id=data["wechat_id"],
                )
                if data["add_phone"]:
                    services.add_phone(customer, data["add_phone"], actor=request.user)
            if form.consent_value is not None and form.consent_value != customer.consent:
                services.set_consent(
                    customer, given=form.consent_value, source="desk", actor=request.user
                )
        except SERVICE_ERRORS as exc:
            if hasattr(exc, "message_dict"):
                apply_errors(form, exc)  # type: ignore[arg-type]
            else:
                form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Customer #%(n)s saved.") % {"n": customer.pk})
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/edit.html",
        {"customer": customer, "form": form, "clear": shown.clear},
        status=422 if form.is_bound and form.errors else 200,
    )


def _find_source(text: str) -> Customer | None:
    text = (text or "").strip()
    number = _NUMBER.match(text)
    if number and len(number.group(1)) < 7:
        return Customer.objects.filter(pk=int(number.group(1))).first()
    return services.find_by_phone(text)


@login_required
@permission_required("customers.merge_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def customer_merge(request, pk: int):
    """Merge a duplicate (B) into this customer (A): choose B, see what moves, confirm."""
    target = get_object_or_404(_with_phones(Customer.objects.all()), pk=pk, merged_into=None)
    form = MergeForm(request.POST or request.GET or None)
    plan = source_shown = None
    if form.is_bound and form.is_valid():
        source = _find_source(form.cleaned_data["source"])
        if source is None:
            form.add_error("source", _("No customer with this number or phone."))
        else:
            try:
                plan = services.merge_plan(target, source)
            except SERVICE_ERRORS as exc:
                form.add_error("source", error_text(exc))
            else:
                source_shown = display.shown(
                    request.user, _with_phones(Customer.objects.all()).get(pk=source.pk)
                )
    if request.method == "POST" and plan is not None and request.POST.get("confirm"):
        try:
            services.merge(target, plan.source, actor=request.user)
        except SERVICE_ERRORS as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("Customer #%(b)s merged into #%(a)s.") % {"b": plan.source.pk, "a": target.pk},
            )
            return redirect("customers:detail", pk=target.pk)
    return render(
        request,
        "customers/merge.html",
        {
            "customer": target,
            "shown": display.shown(request.user, target),
            "form": form,
            "plan": plan,
            "source_shown": source_shown,
        },
        status=422 if form.is_bound and form.errors else 200,
    )
