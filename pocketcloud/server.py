"""The pocketcloud server process: one asyncio loop running the edge and every service."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from aiohttp import web

from .apigateway import ApiGatewayService
from .edge import Edge
from .events import EventsService
from .iam import IamService
from .lambda_ import LambdaService
from .monitoring import LogWriter, MetricRecorder
from .moto_bridge import MotoBridge
from .moto_hooks import registry as moto_hooks
from .processes import ProcessGroup
from .rds import RdsService
from .settings import Settings
from .vpc import VpcService
from .xray import XRayService

log = logging.getLogger("pocketcloud")


class Service(Protocol):
    """What every data-plane package's ``service.py`` provides."""

    name: str

    def install(self) -> None:
        """Register edge routes/interceptors and moto hooks; runs before the edge listens."""

    async def start(self) -> None:
        """Start listeners and background tasks."""

    async def stop(self) -> None:
        """Stop everything this service started; no child process may survive it."""

    def status(self) -> dict[str, Any]:
        """A JSON-able summary for ``pocketcloud status``."""


class Server:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.started_at = time.time()
        self.moto = MotoBridge(settings.account_id, settings.region, settings.moto_threads)
        self.edge = Edge(self)
        self.logs = LogWriter(self.moto)
        self.metrics = MetricRecorder(self.moto, delay_seconds=settings.metrics_delay_seconds)
        self.processes = ProcessGroup()
        # The data planes, in start order: each may use those built before it (Lambda traces into
        # X-Ray, IAM checks what functions' credentials may do, API Gateway and events invoke Lambda).
        self.xray = XRayService(self)
        self.lambda_ = LambdaService(self)
        self.iam = IamService(self)
        self.apigateway = ApiGatewayService(self)
        self.events = EventsService(self)
        self.vpc = VpcService(self)  # what VPC functions reach: the edge and RDS ask it
        self.rds = RdsService(self)
        self.services: tuple[Service, ...] = (
            self.xray, self.lambda_, self.iam, self.apigateway, self.events, self.vpc, self.rds
        )  # fmt: skip
        # Bound ports, filled in as listeners start (settings may ask for port 0).
        self.ports: dict[str, int] = {}
        self._stopped = asyncio.Event()
        self.ready = False  # every listener up; the health check says "starting" until then

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.settings.host}:{self.ports['edge']}"

    def install(self) -> None:
        """Every route, interceptor and moto hook, registered before anything listens."""
        self._install_admin_routes()
        for service in self.services:
            service.install()
        self.edge.finalize()

    async def start(self) -> None:
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        self.install()
        self.ports["edge"] = await self.edge.listen(self.settings.host, self.settings.port)
        self.metrics.start()
        for service in self.services:
            await service.start()
        settle_garbage_collector()  # before the ready file: a full collection would hold up the first request
        self._write_ready_file()
        self.ready = True
        log.info("pocketcloud ready on %s", self.endpoint_url)

    def ready_info(self) -> dict[str, Any]:
        """Who this server is: what the ready file holds and the health check answers."""
        return {
            "pid": os.getpid(),
            "endpoint_url": self.endpoint_url,
            "ports": self.ports,
            "state_dir": str(self.settings.state_dir),
        }

    def _write_ready_file(self) -> None:
        ready = self.ready_info()
        tmp = self.settings.ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(ready))
        tmp.replace(self.settings.ready_file)

    async def stop(self) -> None:
        self.ready = False
        self.settings.ready_file.unlink(missing_ok=True)
        for service in reversed(self.services):
            try:
                await service.stop()
            except Exception:
                log.exception("stopping %s failed", service.name)
        await self.processes.kill_all()
        await self.metrics.stop()
        await self.edge.close()
        self.moto.shutdown()
        self._stopped.set()

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    def status(self) -> dict[str, Any]:
        return {
            "endpoint_url": self.endpoint_url,
            "pid": os.getpid(),
            "uptime_seconds": round(time.time() - self.started_at, 1),
            "ports": self.ports,
            "children": len(self.processes.pids),
            "services": {service.name: service.status() for service in self.services},
            "moto_hooks": moto_hooks.status(),
        }

    def _install_admin_routes(self) -> None:
        async def health(_: web.Request) -> web.Response:
            return web.json_response({"status": "ok" if self.ready else "starting", **self.ready_info()})

        async def status(_: web.Request) -> web.Response:
            return web.json_response(self.status())

        async def shutdown(_: web.Request) -> web.Response:
            asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(self.stop()))
            return web.json_response({"status": "stopping"})

        async def flush_metrics_first(aws: Any) -> None:
            await self.metrics.flush()
            return None

        self.edge.add_route("GET", "/_pocketcloud/health", health)
        self.edge.add_route("GET", "/_pocketcloud/status", status)
        self.edge.add_route("POST", "/_pocketcloud/shutdown", shutdown)
        for action in ("GetMetricStatistics", "GetMetricData", "ListMetrics"):
            self.edge.intercept("monitoring", action, flush_metrics_first)


def settle_garbage_collector() -> None:
    """Keep the collector off the objects that live as long as the server.

    moto and botocore load millions of long-lived objects; without this, every full collection
    walks them all, which was ~8 % of the server's CPU under invoke load (perf, bench/). moto's
    service modules load later, on first use; :class:`MotoBridge` freezes what they bring then.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def serve(settings: Settings) -> None:
    """Run the server in the foreground until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    # Learners attach AWS managed policies (AWSLambdaBasicExecutionRole ...); moto only knows them when asked.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    # jsonschema, which moto's API Gateway imports, builds some forty parser grammars at import when
    # rfc3987_syntax is installed (JupyterLab's dependencies bring it), ~1.2 s on first API Gateway use;
    # it only serves the "iri" string format, which nothing in moto validates.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

    async def main() -> None:
        server = Server(settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(server.stop()))
        try:
            await server.start()
        except BaseException:
            await server.stop()
            raise
        await server.wait_stopped()

    runner: Callable[[Coroutine[Any, Any, None]], None]
    try:  # uvloop makes every HTTP hop of the data planes cheaper; plain asyncio works too
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    with contextlib.suppress(KeyboardInterrupt):
        runner(main())
