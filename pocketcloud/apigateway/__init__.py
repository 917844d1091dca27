"""API Gateway REST data plane.

Invoke URLs: ``/restapis/{api}/{stage}/_user_request_/{path}`` and ``{api}.execute-api.localhost``.
"""

from .service import ApiGatewayService

__all__ = ["ApiGatewayService"]
