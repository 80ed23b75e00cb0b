"""The contract's error object and the exception the mock raises to answer with one (CONTRACT.md section 2)."""

from __future__ import annotations

DOCS = "https://docs.omise.co/api/errors"

BAD_REQUEST = "bad_request"
INVALID_CHARGE = "invalid_charge"
FAILED_REFUND = "failed_refund"
NOT_FOUND = "not_found"
AUTHENTICATION_FAILURE = "authentication_failure"


class ApiError(Exception):
    """A 4xx answer: HTTP status, snake_case code and a message that says how to fix the request."""

    def __init__(self, status: int, code: str, message: str):
        """Keep the status, the code and the message."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(message: str) -> ApiError:
    """400 bad_request: a malformed request or a bad parameter on POST /sources."""
    return ApiError(400, BAD_REQUEST, message)


def invalid_charge(message: str) -> ApiError:
    """400 invalid_charge: a charge that breaks a charge rule [pinned]."""
    return ApiError(400, INVALID_CHARGE, message)


def failed_refund(message: str) -> ApiError:
    """400 failed_refund: a refund that breaks a refund rule."""
    return ApiError(400, FAILED_REFUND, message)


def not_found(kind: str, object_id: str) -> ApiError:
    """404 not_found for an unknown object id."""
    return ApiError(404, NOT_FOUND, f"{kind} {object_id} was not found for this account (keys ending in the same suffix share objects)")


def authentication_failure(message: str) -> ApiError:
    """401 authentication_failure: no key, a malformed or live key, or a public key where a secret key is needed."""
    return ApiError(401, AUTHENTICATION_FAILURE, message)


def error_body(code: str, message: str) -> dict:
    """The error object: object, location (the docs anchor of the code), code, message."""
    return {"object": "error", "location": f"{DOCS}#{code.replace('_', '-')}", "code": code, "message": message}
