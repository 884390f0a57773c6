# ruff: noqa: RUF001 - the Chinese wording uses full-width punctuation on purpose
"""What the customer is told: each kind of message, the parameters it takes (in the order
the SMS templates number them), and its Chinese and English wording.

This is the one place that says which parameters a kind takes. ``tell_customer`` refuses a
call that leaves one out. The wording here is what the console, email and WeChat channels
send and what the delivery log shows; an SMS goes out as the provider's pre-approved
template (模板, registered with the wording below) plus these parameters, never as free
text (settings ``*_SMS_TEMPLATES`` map ``kind:language`` to each provider's template code).

Parameters (all strings, already formatted for the customer: times in local time):

- ``received``: ``number`` (the incident number), ``tracking_url``, ``service_line`` (the
  service centre's phone).
- ``dispatched``: ``number``, ``technician`` (given name only), ``eta`` ("14:30").
- ``eta_changed``: ``number``, ``eta``.
- ``on_site``: ``number``, ``technician``.
- ``resolved``: ``number``, ``summary``, ``survey_url``.
- ``survey_reminder``: ``number``, ``survey_url``.
- ``complaint_outcome``: ``number``, ``outcome`` (approved by customer service).
- ``cancelled``: ``number``, ``service_line``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Kind:
    name: str
    label: object  # lazy translation: shown in the delivery log
    params: tuple[str, ...]
    zh: str
    en: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "received",
            pgettext_lazy("customer message", "Report received"),
            ("number", "tracking_url", "service_line"),
            "您的报修已受理，单号{number}。查看进度：{tracking_url}。服务热线{service_line}。",
            "We have received your report {number}. Follow it at {tracking_url}. "
            "Service line: {service_line}.",
        ),
        Kind(
            "dispatched",
            pgettext_lazy("customer message", "Technician dispatched"),
            ("number", "technician", "eta"),
            "您的报修{number}已派工，技术员{technician}预计{eta}到达。",
            "Technician {technician} is on the way for {number}, expected at {eta}.",
        ),
        Kind(
            "eta_changed",
            pgettext_lazy("customer message", "New arrival time"),
            ("number", "eta"),
            "您的报修{number}预计到达时间更新为{eta}。",
            "The expected arrival time for {number} is now {eta}.",
        ),
        Kind(
            "on_site",
            pgettext_lazy("customer message", "Technician on site"),
            ("number", "technician"),
            "技术员{technician}已到达现场处理您的报修{number}。",
            "Technician {technician} has arrived for {number}.",
        ),
        Kind(
            "resolved",
            pgettext_lazy("customer message", "Resolved"),
            ("number", "summary", "survey_url"),
            "您的报修{number}已处理完毕：{summary}。请评价我们的服务：{survey_url}",
            "Your report {number} is resolved: {summary}. Please rate our service: {survey_url}",
        ),
        Kind(
            "survey_reminder",
            pgettext_lazy("customer message", "Survey reminder"),
            ("number", "survey_url"),
            "您对报修{number}的服务还未评价，欢迎填写：{survey_url}",
            "You have not rated our service for {number} yet: {survey_url}",
        ),
        Kind(
            "complaint_outcome",
            pgettext_lazy("customer message", "Complaint outcome"),
            ("number", "outcome"),
            "您的投诉{number}处理结果：{outcome}",
            "The outcome of your complaint {number}: {outcome}",
        ),
        Kind(
            "cancelled",
            pgettext_lazy("customer message", "Cancelled"),
            ("number", "service_line"),
            "您的报修{number}已取消。如有疑问请致电{service_line}。",
            "Your report {number} has been cancelled. Questions: {service_line}.",
        ),
    )
}


def missing_params(kind: str, params: dict[str, str]) -> list[str]:
    """The parameters ``kind`` takes that ``params`` leaves out (an empty string is given:
    a service line not configured must not stop the message)."""
    return [p for p in KINDS[kind].params if params.get(p) is None]


def render(kind: str, language: str, params: dict[str, str]) -> str:
    """The message's text in ``language`` (Chinese unless it is English)."""
    spec = KINDS[kind]
    template = spec.en if language.startswith("en") else spec.zh
    return template.format_map({p: str(params.get(p, "")) for p in spec.params})


def ordered_params(kind: str, params: dict[str, str]) -> list[str]:
    """The parameters in template order (Tencent's TemplateParamSet is positional)."""
    return [str(params.get(p, "")) for p in KINDS[kind].params]
