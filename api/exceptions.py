"""One shape for every API error: ``{"error": {"status", "code", "message", "details"}}``.

Errors raised by the services (Django's ValidationError and PermissionDenied, stale versions,
review rules, a unique row inserted by a concurrent request) become 4xx answers here, so bad
input never surfaces as a 500; a deadlock or a lost database connection is a 503 with
Retry-After, as trying again is the right answer to it.
"""

import logging

import psycopg
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.views.defaults import bad_request, page_not_found, server_error
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ReviewRuleError, StaleVersionError

logger = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you read it."
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = (
        f"The request body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} "
        "bytes."
    )
    default_code = "too_large"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "The database could not complete this request (a deadlock with another write, or a "
        "lost connection); nothing was saved. Try again in a few seconds."
    )
    default_code = "unavailable"
    wait = 5  # DRF sends it as Retry-After


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state of the resource."
    default_code = "conflict"


class Gone(exceptions.APIException):
    """A claim that existed and was deleted or merged into another (SPEC section 7: 410)."""

    status_code = status.HTTP_410_GONE
    default_detail = "This resource existed and is gone."
    default_code = "gone"

    def __init__(self, detail: str, details: dict | None = None):
        super().__init__(detail)
        self.details = details


def _from_django_validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    else:
        detail = {"non_field_errors": exc.messages}
    return exceptions.ValidationError(detail)


def _summary(detail) -> str:
    """The first message, prefixed with its field, for a one-line ``message``."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _summary(value)
            if field in ("non_field_errors", "detail"):
                return inner
            return f"{field}: {inner}"
    if isinstance(detail, list):
        return _summary(detail[0]) if detail else "Invalid input."
    return str(detail)


def error_body(status_code: int, code: str, message: str, details=None) -> dict:
    return {"error": {"status": status_code, "code": code, "message": message, "details": details}}


def exception_handler(exc, context):
    request = context.get("request")
    if getattr(getattr(request, "accepted_renderer", None), "format", None) == "csv":
        # A list asked for as CSV (api.views.CSVRenderer) still answers its errors (a bad
        # filter, a throttle, a bad key) in the one JSON shape every client can read.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation(exc)
    elif isinstance(exc, StaleVersionError):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, ReviewRuleError):
        exc = Conflict(str(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, (OperationalError, InterfaceError, psycopg.OperationalError)):
        # Deadlocks, serialization failures, "database is locked" and dropped connections: the
        # transaction was rolled back, the request can be retried as it is.
        logger.warning("Database unavailable for %s", context["request"].path, exc_info=exc)
        exc = DatabaseUnavailable()
    elif isinstance(exc, IntegrityError):
        # A concurrent request stored the same natural key first.
        exc = Conflict("This conflicts with a row stored at the same time; reload and retry.")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # A real bug: let it be a 500 with a logged traceback.

    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        message = "Invalid input: " + _summary(detail)
        details = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    else:
        detail_value = getattr(exc, "detail", "")
        code = getattr(detail_value, "code", None) or getattr(exc, "default_code", "error")
        message = (
            str(detail_value)
            if not isinstance(detail_value, (dict, list))
            else _summary(detail_value)
        )
        details = getattr(exc, "details", None)
    response.data = error_body(response.status_code, str(code), message, details)
    return response


def json_not_found(request, exception=None):
    """404 for URLs no view matches: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(404, "not_found", f"No API endpoint at {request.path}."), status=404
        )
    return page_not_found(request, exception)


def json_bad_request(request, exception=None):
    """400 for what Django refuses before a view answers (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is 413): JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                error_body(413, PayloadTooLarge.default_code, str(PayloadTooLarge.default_detail)),
                status=413,
            )
        return JsonResponse(
            error_body(400, "bad_request", "The request could not be understood."), status=400
        )
    return bad_request(request, exception)


def json_server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(500, "server_error", "Internal error; it has been logged."), status=500
        )
    return server_error(request)
