"""The API's JSON parser: bad JSON is a 400, whatever its shape.

DRF's parser lets two kinds through to a 500: JSON nested thousands deep (the decoder
raises RecursionError) and lone surrogates (``"\\ud800"`` is valid JSON but no Unicode
text: it cannot be stored, logged or even echoed back in an error message)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Deeper than any request of ours (a few levels), far below Python's recursion limit.
MAX_DEPTH = 32


def _check(data) -> None:
    """Walk ``data`` without recursion; raise ``ParseError`` past MAX_DEPTH or on a string
    (value or key) that is not valid Unicode."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, str):
            _text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _text(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _text(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError("JSON text holds an invalid character (a lone surrogate).") from None


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from None
        _check(data)
        return data
