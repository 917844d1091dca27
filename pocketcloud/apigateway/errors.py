"""AWS-shaped API Gateway errors, as an invoke URL answers them."""

from __future__ import annotations

from ..fastlane import Response


def gateway_error(status: int, message: str, error_type: str | None = None) -> Response:
    """An API Gateway error; the caller adds x-amzn-RequestId."""
    headers = {"x-amzn-ErrorType": error_type} if error_type else None
    return Response.json({"message": message}, status=status, headers=headers)
