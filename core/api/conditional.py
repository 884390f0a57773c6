"""``ETag`` on single objects and ``If-Match`` on writes (412 when stale).

The tag is a hash of the object's JSON representation, so it changes whenever anything a
client can see changes, whoever changed it.
"""

import hashlib
import json
from typing import TYPE_CHECKING

from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core.api.exceptions import PreconditionFailed


def etag_for(data) -> str:
    body = json.dumps(data, sort_keys=True, cls=JSONEncoder, ensure_ascii=False)
    return '"' + hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:32] + '"'


def _tags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def check_if_match(request, current_etag: str) -> None:
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = _tags(header)
    if "*" in tags or current_etag in tags:
        return
    raise PreconditionFailed()


def not_modified(request, current_etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    return header is not None and (current_etag in _tags(header) or "*" in _tags(header))


if TYPE_CHECKING:
    _ViewSet = GenericAPIView
else:
    _ViewSet = object


class ETagMixin(_ViewSet):
    """For viewsets: ETag on retrieve (304 for a matching If-None-Match); ``represent()`` is
    the object's read representation (override when writes use another serializer)."""

    def represent(self, instance) -> dict:
        return self.get_serializer(instance).data

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.represent(instance)
        tag = etag_for(data)
        if not_modified(request, tag):
            return Response(status=304, headers={"ETag": tag})
        return Response(data, headers={"ETag": tag})

    def respond(self, instance, status: int = 200, headers: dict | None = None) -> Response:
        """The read representation of ``instance`` with its ETag."""
        data = self.represent(instance)
        return Response(data, status=status, headers={**(headers or {}), "ETag": etag_for(data)})

    def check_precondition(self, request, instance) -> None:
        check_if_match(request, etag_for(self.represent(instance)))
