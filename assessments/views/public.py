"""The customer's satisfaction survey: public, no login, phone-first, in their language."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache

from assessments import services
from assessments.exceptions import SurveyClosed
from assessments.forms import SurveyForm
from assessments.models import Survey
from core.web import apply_errors

LANGUAGES = dict(settings.LANGUAGES)


def _language(request, survey: Survey | None) -> str:
    chosen = request.GET.get("lang") or request.POST.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if survey and survey.language in LANGUAGES:
        return survey.language
    # No survey to ask (a mistyped link): the browser's language.
    return translation.get_language_from_request(request)


def _render(request, language: str, context: dict, status: int = 200):
    with translation.override(language):
        response = render(
            request,
            "assessments/survey.html",
            {**context, "lang": language, "languages": settings.LANGUAGES},
            status=status,
        )
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Not "no-referrer": Chromium then posts the form with "Origin: null" and the CSRF check
    # refuses it. "same-origin" still keeps the token (the secret) out of other sites' logs.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
def survey(request, token: str):
    now = timezone.now()
    found = services.open_survey(token, now=now)
    language = _language(request, found)
    if found is None:
        return _render(request, language, {"state": "unknown"}, status=404)
    context = {"survey": found, "incident": found.incident}
    if found.answered_at:
        return _render(
            request,
            language,
            {**context, "state": "answered"},
            status=409 if request.method == "POST" else 200,
        )
    if found.is_expired(now):
        return _render(request, language, {**context, "state": "expired"}, status=410)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_survey(token, now=now, **form.cleaned_data)
        except SurveyClosed:
            return _render(request, language, {**context, "state": "answered"}, status=409)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _render(request, language, {**context, "state": "thanks"})
    status = 422 if request.method == "POST" else 200
    return _render(request, language, {**context, "state": "open", "form": form}, status=status)
