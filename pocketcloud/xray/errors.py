"""AWS-shaped X-Ray API errors."""

from __future__ import annotations

from ..errors import json_error


class InvalidRequest(Exception):
    """A request X-Ray refuses with 400 InvalidRequestException; ``response`` is that answer.

    Example::

        raise InvalidRequest("StartTime and EndTime are required")
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.response = json_error("InvalidRequestException", message, 400)
