"""Uploads larger than any photo we accept are refused before their body is read.

``UploadLimitMiddleware`` answers 413 from the declared length of a multipart body
(``Content-Length``) before anything reads it: the CSRF check, which parses a POST, and the
upload handlers come later. A body without a length is not parsed by Django at all. Within
the allowance for the form's other fields, ``CappedUploadHandler`` stops keeping one file
once it passes ``MAX_PHOTO_BYTES`` and hands the form a stand-in of that size, so the form
says "The photo is too large." instead of a 12 MB file being spooled to the end.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# Room for the other fields and the multipart framing around one photo.
MULTIPART_ROOM = 1024 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def body_limit() -> int:
    return settings.MAX_PHOTO_BYTES + MULTIPART_ROOM


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def too_large(request) -> HttpResponse:
    megabytes = settings.MAX_PHOTO_BYTES // (1024 * 1024) or 1
    message = _("The upload is larger than %(size)s MB: choose a smaller photo.") % {
        "size": megabytes
    }
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=413)
    else:
        html = render_to_string("413.html", {"message": message}, request=None)
        response = HttpResponse(html, status=413)
    return response


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in BODY_METHODS
            and request.content_type.startswith("multipart/")
            and _declared_length(request) > body_limit()
        ):
            return too_large(request)
        return self.get_response(request)


class _TooLarge(InMemoryUploadedFile):
    """What the form receives for a file cut off at the cap: its size says it all."""


class CappedUploadHandler(FileUploadHandler):
    """Before Django's handlers: passes each file's chunks on until the file passes
    MAX_PHOTO_BYTES, then keeps nothing more of it and ends it as a stand-in of that size."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_PHOTO_BYTES:
            return None  # the later handlers keep nothing more of this file
        return raw_data

    def file_complete(self, file_size):
        if self.received <= settings.MAX_PHOTO_BYTES:
            return None  # the later handlers return the file
        import io

        return _TooLarge(
            io.BytesIO(b""),
            self.field_name,
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
        )
