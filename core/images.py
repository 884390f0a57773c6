"""Uploaded images (incident photos, signatures), checked before they cost memory.

- The size in pixels is read from the header and refused past settings.MAX_IMAGE_PIXELS
  before anything is decoded: a 140 KB PNG can hold 12000 x 12000 pixels (576 MB decoded).
- A photo is stored re-encoded without its metadata (EXIF: GPS position, camera, time),
  turned upright first as its EXIF orientation said.
- A multipart body longer than settings.MAX_PHOTO_BYTES (plus room for the other fields) is
  refused from its Content-Length, before a byte of it is read or spooled to disk.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# The other fields of a photo form (caption, CSRF token) and the multipart boundaries.
MULTIPART_ROOM = 1024 * 1024
# What a stored photo is saved as: the upload's own format if it is one of these, else PNG.
KEPT_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def _pixel_limit() -> int:
    # Pillow's own guard, at the same limit: DecompressionBombError past twice this.
    Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
    return settings.MAX_IMAGE_PIXELS


def too_large_error(field: str) -> ValidationError:
    return ValidationError(
        {
            field: [
                _("The image is too large: at most %(mp)s megapixels.")
                % {"mp": settings.MAX_IMAGE_PIXELS // 1_000_000}
            ]
        }
    )


def open_checked(data: bytes, *, field: str, unreadable: str) -> Image.Image:
    """The image in ``data``, opened from its header only (not decoded), or a
    ``ValidationError`` on ``field``: ``unreadable`` if it is not an image, too large if it
    has more pixels than settings.MAX_IMAGE_PIXELS."""
    limit = _pixel_limit()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_large_error(field) from exc
    except Exception as exc:  # Pillow raises many kinds for a file that is not an image
        raise ValidationError({field: [unreadable]}) from exc
    width, height = image.size
    if width * height > limit:
        raise too_large_error(field)
    return image


def decode(image: Image.Image, *, field: str, unreadable: str) -> Image.Image:
    """Decode an image that passed ``open_checked`` (a damaged file is a form error)."""
    try:
        image.load()
    except Exception as exc:
        raise ValidationError({field: [unreadable]}) from exc
    return image


def clean_photo(data: bytes, *, field: str = "image") -> tuple[bytes, str]:
    """A photo's bytes re-encoded upright and without metadata, and the file extension of
    the format it is stored in. Raises ``ValidationError`` on ``field``."""
    unreadable = _("Upload a valid image: the file is not a picture or is damaged.")
    image = open_checked(data, field=field, unreadable=unreadable)
    original_format = image.format or ""
    image = decode(image, field=field, unreadable=unreadable)
    upright = ImageOps.exif_transpose(image)
    target = original_format if original_format in KEPT_FORMATS else "PNG"
    if target == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    # No exif=, no pnginfo=: Pillow writes no metadata it is not handed.
    options = {"quality": 90} if target in ("JPEG", "WEBP") else {}
    upright.save(out, format=target, **options)
    return out.getvalue(), KEPT_FORMATS[target]


class BodyLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: a multipart body longer than any photo we accept is
    refused from its Content-Length (400), before it is read or spooled to disk."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.MAX_PHOTO_BYTES + MULTIPART_ROOM:
            raise RequestDataTooBig("Upload larger than MAX_PHOTO_BYTES.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
