"""The VPC service: Lambda's network interfaces, and the verdicts the data planes ask before they let traffic through.

Who is calling: a connection's peer process (``peers.py``) or an AWS request's signature (the execution
environment's credentials, ``lambda_/credentials.py``) names an execution environment, hence a function version
and its VpcConfig; a caller that is no execution environment (the notebook, the tests, the CLI) is the
notebook's host, which counts as a machine inside every VPC, as the original workshop's Cloud9 instance was.

What it may reach (``rules.py``): DB instances and RDS Proxies through security groups, AWS APIs through a NAT
gateway or an interface VPC endpoint. What is not admitted is dropped, not refused: the data plane holds the
connection or request unanswered until the client gives up, at most until the function's own timeout would
have ended the invocation (:meth:`VpcService.hold_seconds`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..lambda_.environment import INIT_TIMEOUT_S
from . import handlers, moto_hooks
from .interfaces import LambdaInterfaces
from .peers import Address, owner_of, socket_inode
from .rules import Network, Placement, Verdict

if TYPE_CHECKING:
    from ..lambda_.environment import ExecutionEnvironment
    from ..server import Server

log = logging.getLogger("pocketcloud.vpc")

# A verdict is kept until the next control-plane change, and at most this long (states also change with time:
# a VPC endpoint turns available, a DB proxy finishes creating).
VERDICT_SECONDS = 1.0
MAX_FUNCTION_TIMEOUT_S = 900.0  # Lambda's longest timeout
OWNERS_KEPT = 4096  # sockets whose owner is remembered; past it, start over


class VpcService:
    name = "vpc"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.enforcing = server.settings.enforce_rules
        self.interfaces = LambdaInterfaces(server.settings.lambda_eni_release_seconds, self._wake_releaser)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._releaser: asyncio.TimerHandle | None = None
        self._verdicts: dict[tuple[Any, ...], tuple[Verdict, float]] = {}
        self._verdicts_generation = -1
        # Whose each connecting socket (by inode) is: a socket keeps its process for its life, so a keep-alive
        # client's requests are looked up in /proc once.
        self._owners: dict[int, ExecutionEnvironment | None] = {}
        self.dropped = 0  # connections and requests held unanswered, for the status

    # -- service lifecycle --------------------------------------------------------------------------------
    def install(self) -> None:
        moto_hooks.install(self)
        handlers.install(self)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        if self._releaser is not None:
            self._releaser.cancel()

    def status(self) -> dict[str, Any]:
        return {"enforce_rules": self.enforcing, "dropped": self.dropped, **self.interfaces.status()}

    # -- network interfaces ---------------------------------------------------------------------------------
    def _wake_releaser(self, seconds: float) -> None:
        """Called under the moto lock on moto's thread: run release_due on the loop in ``seconds``."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._arm_releaser, seconds)

    def _arm_releaser(self, seconds: float) -> None:
        assert self._loop is not None
        due = self._loop.time() + seconds
        if self._releaser is not None and self._releaser.when() <= due:
            return
        if self._releaser is not None:
            self._releaser.cancel()
        self._releaser = self._loop.call_at(due, lambda: self._loop and self._loop.create_task(self._release()))

    async def _release(self) -> None:
        self._releaser = None
        from moto.ec2.models import ec2_backends

        def release() -> float | None:
            next_in = self.interfaces.release_due(lambda account, region: ec2_backends[account][region])
            self.server.edge.generation += 1  # a control-plane change nobody requested
            return next_in

        next_in = await self.server.moto.run(release)
        if next_in is not None:
            self._arm_releaser(max(0.05, next_in))

    # -- who is calling -------------------------------------------------------------------------------------
    def environment_at(self, peer: Address, local: Address) -> ExecutionEnvironment | None:
        """The execution environment whose process (or a process it started) opened the connection from ``peer``
        to ``local``; None for any other process (the notebook's host)."""
        environments = {env.pid: env for env in list(self.server.lambda_.pools.all) if env.pid is not None}
        if not environments:
            return None
        inode = socket_inode(peer, local)
        if inode is None:
            return None
        if inode in self._owners:
            return self._owners[inode]
        pid = owner_of(inode, environments)
        if len(self._owners) >= OWNERS_KEPT:
            self._owners.clear()
        env = self._owners[inode] = environments.get(pid) if pid is not None else None
        return env

    def environment_by_id(self, environment_id: str) -> ExecutionEnvironment | None:
        return next((env for env in list(self.server.lambda_.pools.all) if env.id == environment_id), None)

    @staticmethod
    def hold_seconds(timeout_s: float) -> float:
        """How long to hold a dropped connection of a function with this timeout: until its invocation (or its init,
        for a connection opened outside the handler) has certainly ended, when Lambda stops the environment."""
        return max(timeout_s, INIT_TIMEOUT_S) + 1.0

    # -- verdicts -----------------------------------------------------------------------------------------
    def admit_connection(
        self, peer: Address, local: Address, verdict: Callable[[Network, Placement | None], Verdict], target: str
    ) -> Awaitable[float | None] | None:
        """For a data plane's accept: None when the connection is admitted without further thought (rules off, or
        not from a function); else an awaitable of None (admitted) or the seconds to hold it unanswered.

        ``verdict(network, placement)`` decides for a function placed at ``placement`` (None: in no VPC)."""
        if not self.enforcing:
            return None
        env = self.environment_at(peer, local)
        if env is None:
            return None
        return self._decide(env.spec.name, env.spec.version, env.spec.timeout_s, verdict, target)

    async def _decide(
        self,
        function: str,
        version: str,
        timeout_s: float | None,
        verdict: Callable[[Network, Placement | None], Verdict],
        target: str,
    ) -> float | None:
        """None when admitted, else how long to hold; ``timeout_s`` None: the function's, as moto has it."""
        key = (function, version, target)
        cached = self._cached(key)
        if cached is None:
            found, configured = await self.server.moto.run_here_if_free(self._evaluate, function, version, verdict)
            self._verdicts[key] = (found, time.monotonic())
            timeout_s = timeout_s if timeout_s is not None else configured
        else:
            found = cached
        if found.admitted:
            return None
        self.dropped += 1
        log.info("dropped %s -> %s: %s", function, target, found.reason)
        return self.hold_seconds(timeout_s if timeout_s is not None else MAX_FUNCTION_TIMEOUT_S)

    def _cached(self, key: tuple[Any, ...]) -> Verdict | None:
        if self.server.edge.generation != self._verdicts_generation:
            self._verdicts.clear()
            self._verdicts_generation = self.server.edge.generation
        found = self._verdicts.get(key)
        if found is None or time.monotonic() - found[1] > VERDICT_SECONDS:
            return None
        return found[0]

    def _evaluate(
        self, function: str, version: str, verdict: Callable[[Network, Placement | None], Verdict]
    ) -> tuple[Verdict, float | None]:
        """Under the moto lock: the function version's placement, the verdict on it, and its timeout."""
        network = self.network()
        try:
            fn = self.server.lambda_.backend().get_function(function, None if version == "$LATEST" else version)
        except Exception:  # deleted meanwhile: it is in no VPC any more
            fn = None
        placement = network.function_placement(getattr(fn, "_vpc_config", None))
        timeout = getattr(fn, "timeout", None)
        return verdict(network, placement), None if timeout is None else float(timeout)

    def network(self, region: str | None = None) -> Network:
        """The rules over moto's EC2 state (call under the moto lock)."""
        return Network(self.server.moto.backend("ec2", region), region or self.server.settings.region)

    # -- what the data planes ask ------------------------------------------------------------------------
    def admit_db_instance(self, ident: str, port: int, peer: Address, local: Address) -> Awaitable[float | None] | None:
        """A connection to DB instance ``ident``'s endpoint (rule port ``port``, as its security groups see it)."""

        def verdict(network: Network, placement: Placement | None) -> Verdict:
            instance = self.server.moto.backend("rds").databases.get(ident)
            if instance is None:
                return Verdict(True, "the instance is gone; its server answers for itself")
            return network.db_instance(instance, port, placement)

        return self.admit_connection(peer, local, verdict, f"db:{ident}")

    def admit_db_proxy(self, name: str, peer: Address, local: Address) -> Awaitable[float | None] | None:
        """A connection to RDS Proxy ``name``'s endpoint."""

        def verdict(network: Network, placement: Placement | None) -> Verdict:
            proxy = self.server.moto.backend("rds").db_proxies.get(name)
            if proxy is None:
                return Verdict(True, "the proxy is gone")
            return network.db_proxy(proxy, placement)

        return self.admit_connection(peer, local, verdict, f"proxy:{name}")

    def proxy_reaches(self, proxy: Any, instance: Any, port: int) -> Verdict:
        """Rule 3, under the moto lock: can proxy model ``proxy`` open connections to DB instance model ``instance``?"""
        if not self.enforcing:
            return Verdict(True, "rules are off")
        return self.network().proxy_to_instance(proxy, instance, port)

    async def proxy_reaches_target(self, name: str, ident: str, port: int) -> Verdict:
        """:meth:`proxy_reaches` from the loop, by names, cached like the other verdicts."""
        if not self.enforcing:
            return Verdict(True, "rules are off")
        key = ("proxy-target", name, ident)
        found = self._cached(key)
        if found is None:

            def evaluate() -> Verdict:
                rds = self.server.moto.backend("rds")
                proxy, instance = rds.db_proxies.get(name), rds.databases.get(ident)
                if proxy is None or instance is None:
                    return Verdict(True, "gone")
                return self.proxy_reaches(proxy, instance, port)

            found = await self.server.moto.run_here_if_free(evaluate)
            self._verdicts[key] = (found, time.monotonic())
        return found

    def screen_api_call(
        self, function: str, version: str, environment_id: str | None, service: str
    ) -> Awaitable[float | None] | None:
        """An AWS API request signed by (or sent from) function ``function:version``: None when admitted at once
        (the verdict is known), else an awaitable of None or the seconds to hold it unanswered."""
        known = self._cached((function, version, f"api:{service}"))
        if known is not None and known.admitted:
            return None
        env = self.environment_by_id(environment_id) if environment_id else None
        timeout_s = env.spec.timeout_s if env is not None else None  # a gone environment's key: moto's timeout

        def verdict(network: Network, placement: Placement | None) -> Verdict:
            if placement is None:
                return Verdict(True, "a function outside any VPC has internet access")
            return network.api(placement, service)

        return self._decide(function, version, timeout_s, verdict, f"api:{service}")
