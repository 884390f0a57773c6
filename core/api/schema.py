"""OpenAPI: the error responses every operation can give (the API key scheme is
``accounts.api.authentication.ApiKeyScheme``)."""

ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "description": '`{"detail": "..."}` or, for invalid input, `{"field": ["message", ...]}`.',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input.",
    "401": "No, bad, expired or revoked credentials.",
    "403": "Not allowed (role, or a read-only key writing).",
    "404": "Not found, or not visible to you.",
    "409": "The current status does not allow this, or the Idempotency-Key is in flight.",
    "412": "Stale If-Match.",
    "415": "The body's Content-Type is not one the operation accepts (or is malformed).",
    "422": "Idempotency-Key reused with a different body.",
    "429": "Throttled; see Retry-After.",
}


def _codes(path: str, method: str, operation: dict) -> list[str]:
    codes = ["400", "401", "403", "429"]
    if "{" in path:
        codes.append("404")
    if method == "post":
        codes += ["409", "415", "422"]
    if method in ("patch", "put"):
        codes += ["409", "412", "415"]
    return codes


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: document the error statuses of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method, operation):
                responses.setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
            if method == "get" and "{" in path and "200" in responses:
                responses.setdefault("304", {"description": "Not modified (If-None-Match)."})
    return result
