"""The user's profile page: their API keys (create, shown once; list; revoke)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import ApiKeyForm
from accounts.models import ApiKey
from core.roles import role_labels


@login_required
def profile(request):
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _api_key, new_key = services.create_api_key(request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            form = ApiKeyForm()
    keys = ApiKey.objects.filter(user=request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "new_key": new_key,
            "keys": keys,
            "now": timezone.now(),
            "role_labels": role_labels(request.user),
            "memberships": request.user.memberships.select_related("team"),
        },
    )


@login_required
@require_POST
def revoke_key(request, pk: int):
    api_key = get_object_or_404(ApiKey, pk=pk, user=request.user)
    services.revoke_api_key(api_key, actor=request.user)
    messages.success(request, _("The key %(name)s is revoked.") % {"name": api_key.name})
    return redirect("profile")
