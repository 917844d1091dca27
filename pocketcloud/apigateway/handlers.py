"""The edge routes API Gateway answers: a stage's invoke URL, by path or by host."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

from ..fastlane import Request, Response

if TYPE_CHECKING:
    from .service import ApiGatewayService

# Three ways to reach a stage: the path form moto and LocalStack's older releases use, the "/_aws/" path
# form of LocalStack's current releases (and other emulators' users' scripts), and the host form below.
INVOKE_PATH = r"/restapis/(?P<api_id>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>.*)"
INVOKE_PATH_AWS = r"/_aws/execute-api/(?P<api_id>[^/]+)/(?P<stage>[^/]+)(?P<path>/.*)?"
HOST_PATTERN = r"(?P<api>[a-z0-9]+)\.execute-api\.(localhost|127\.0\.0\.1\.nip\.io|localhost\.localstack\.cloud)"


def install(service: ApiGatewayService) -> None:
    # Plain functions handing back handle's coroutine: one coroutine less to make and resume per request.
    def by_path(request: Request) -> Awaitable[Response]:
        info = request.match_info
        return service.handle(request, info["api_id"], info["stage"], info["path"] or "/")

    def by_host(request: Request) -> Awaitable[Response]:
        stage, _, rest = request.path.lstrip("/").partition("/")
        return service.handle(request, request.match_info["api"], stage, "/" + rest)

    edge = service.server.edge
    edge.add_fast_route("*", INVOKE_PATH, by_path)
    edge.add_fast_route("*", INVOKE_PATH_AWS, by_path)
    edge.add_fast_host(HOST_PATTERN, by_host)
