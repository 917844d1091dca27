"""X-Ray: a daemon on UDP, segments from the SDK, API Gateway and Lambda, and the trace APIs.

Example (inside pocketcloud)::

    xray = server.xray
    context = xray.trace_context(request.headers.get("X-Amzn-Trace-Id"))
"""

from .service import XRayService
from .tracing import TraceContext

__all__ = ["TraceContext", "XRayService"]
