"""Lambda data plane: functions really run under the AWS runtime interface client.

Example::

    result = await server.services["lambda"].invoke("hello", b"{}")
"""

from .exceptions import LambdaError
from .service import InvokeResult, LambdaService

Service = LambdaService

__all__ = ["InvokeResult", "LambdaError", "LambdaService", "Service"]
