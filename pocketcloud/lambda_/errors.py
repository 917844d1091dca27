"""AWS-shaped Lambda service errors."""

from __future__ import annotations

from aiohttp import web

from ..fastlane import Response


class LambdaError(Exception):
    """A service error that replaces an invocation result (HTTP status >= 400).

    Example::

        raise LambdaError.throttled("ReservedFunctionConcurrentInvocationLimitExceeded")
    """

    def __init__(self, code: str, message: str, status: int, reason: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.reason = reason

    def to_response(self) -> web.Response:
        return self.to_fast_response().to_aiohttp()

    def to_fast_response(self) -> Response:
        extra = {"Reason": self.reason} if self.reason else {}
        return Response.json_error(self.code, self.message, self.status, **extra)

    @classmethod
    def not_found(cls, arn: str) -> LambdaError:
        return cls("ResourceNotFoundException", f"Function not found: {arn}", 404)

    @classmethod
    def throttled(cls, reason: str) -> LambdaError:
        return cls("TooManyRequestsException", "Rate Exceeded.", 429, reason)

    @classmethod
    def too_large(cls, size: int, limit: int) -> LambdaError:
        return cls(
            "RequestEntityTooLargeException",
            f"{size} byte payload is too large for the RequestResponse invocation type (limit {limit} bytes)",
            413,
        )

    @classmethod
    def invalid_json(cls, detail: str) -> LambdaError:
        return cls("InvalidRequestContentException", f"Could not parse request body into json: {detail}", 400)

    @classmethod
    def invalid_parameter(cls, message: str) -> LambdaError:
        return cls("InvalidParameterValueException", message, 400)
