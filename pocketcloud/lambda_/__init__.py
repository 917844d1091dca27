"""Lambda data plane: functions really run under the AWS runtime interface client.

Example::

    result = await server.lambda_.invoke("hello", b"{}")
"""

from .errors import LambdaError
from .service import InvokeResult, LambdaService

__all__ = ["InvokeResult", "LambdaError", "LambdaService"]
