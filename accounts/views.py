"""The user's profile page: their API keys (create, shown once; list; revoke), their password,
and the second factor (TOTP enrolment, and the code asked at login)."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import services
from accounts.forms import ApiKeyForm, TotpCodeForm
from accounts.models import ApiKey
from core.roles import role_labels
from core.web import safe_next


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
            "has_totp": services.has_totp_device(request.user),
        },
    )


@login_required
@require_POST
def revoke_key(request, pk: int):
    api_key = get_object_or_404(ApiKey, pk=pk, user=request.user)
    services.revoke_api_key(api_key, actor=request.user)
    messages.success(request, _("The key %(name)s is revoked.") % {"name": api_key.name})
    return redirect("profile")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new one twice, the validators), our styling."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


def _qr_data_uri(text: str) -> str:
    """The enrolment QR as an inline SVG data URI: drawn here, no third party sees the key."""
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def mfa_enrol(request):
    """Set up an authenticator app: scan the QR (or type the key), then enter a code."""
    if services.has_totp_device(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('mfa_verify')}?next={reverse('mfa_enrol')}")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.confirm_totp_device(request.user, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", _("That code is not right. Check the clock of your phone."))
        else:
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(safe_next(request, reverse("profile")))
    device = services.pending_totp_device(request.user)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": safe_next(request, ""),
        },
    )


@login_required
def mfa_verify(request):
    """The second step of the login: a code from the user's authenticator app."""
    if not services.has_totp_device(request.user):
        return redirect("mfa_enrol")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify_totp(request.user, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", _("That code is not right. Check the clock of your phone."))
        else:
            otp_login(request, device)
            return redirect(safe_next(request, reverse("home")))
    return render(
        request, "accounts/mfa_verify.html", {"form": form, "next": safe_next(request, "")}
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The page an emailed reset link opens: a new password twice; then the login page."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Log in with it."))
        return response
