"""Error responses in the shapes the xAI API (and API-like proxies) use."""

from __future__ import annotations

from http import HTTPStatus

from starlette.responses import JSONResponse, PlainTextResponse, Response

# The `code` strings the real API sends next to `error` (gRPC status descriptions).
_CODES = {
    400: "Client specified an invalid argument",
    401: "The request does not have valid authentication credentials",
    403: "The caller does not have permission to execute the specified operation",
    404: "Some requested entity was not found",
    429: "Some resource has been exhausted",
    500: "Internal error",
    503: "The service is currently unavailable",
    504: "The deadline expired before the operation could complete",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a status without a registered name, e.g. 599
        return "Error"


def simulated_message(status: int) -> str:
    return f"Simulated error {status}: {_phrase(status)} (grok-sim)."


def error_response(
    status: int, message: str, *, shape: str = "flat", retry_after: float | None = None
) -> Response:
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    if shape == "text":
        return PlainTextResponse(message, status_code=status, headers=headers)
    if shape == "nested":
        return JSONResponse({"error": {"message": message}}, status_code=status, headers=headers)
    code = _CODES.get(status, _phrase(status))
    return JSONResponse({"code": code, "error": message}, status_code=status, headers=headers)
