"""DB instances: moto keeps the model, pocketcloud runs a real server for each and keeps the two in step.

The model's status, endpoint and master password follow the server.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import secrets
import shutil
import time
from typing import TYPE_CHECKING, Any

from .dbserver import INSTALL_HINT, DbServer, find_server_binary, free_port
from .deleting import DELETING
from .errors import invalid_parameter
from .relay import Relay
from .sizing import max_connections

if TYPE_CHECKING:
    from ..server import Server

log = logging.getLogger("pocketcloud.rds")
ENGINES = ("mysql", "mariadb")


class InstanceManager:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.servers: dict[str, DbServer] = {}
        # Each instance's endpoint: a relay in front of its server, where the VPC rules admit or drop callers.
        self.relays: dict[str, Relay] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[concurrent.futures.Future[Any]] = set()

    @property
    def binary(self) -> str | None:
        return find_server_binary(self.server.settings.db_server)

    # -- called on moto's worker thread, under the moto lock -----------------------------------------
    def on_create(self, instance: Any, master_password: str | None) -> None:
        if (instance.engine or "").lower() not in ENGINES:
            return
        binary = self.binary
        if binary is None:
            raise invalid_parameter(f"pocketcloud found no MariaDB/MySQL server binary. {INSTALL_HINT}")
        ident = instance.db_instance_identifier
        db_server = DbServer(
            binary=binary,
            # A fresh folder for each instance created: nothing of an earlier instance of the same name (this
            # run's or an earlier run's in the same state dir) can be in its way or leak into it.
            data_root=self.server.settings.state_dir / "rds" / f"{ident}-{secrets.token_hex(4)}",
            port=free_port(),
            max_connections=max_connections(
                instance.db_instance_class or "db.t3.micro", self.server.settings.db_max_connections_cap
            ),
            master_user=instance.master_username or "admin",
            master_password=master_password or "",
            db_name=instance.db_name,
        )
        self._remove_earlier_data(ident)
        self.servers[ident] = db_server
        self.relays[ident] = self._relay(ident, int(instance.port or 3306), db_server)
        instance.pocketcloud_address = "127.0.0.1"
        instance.pocketcloud_rule_port = int(instance.port or 3306)  # what security group rules name (AWS's port)
        instance.port = self.relays[ident].port
        instance.status = "creating"
        self._schedule(self._start(instance, db_server, "available"))

    def _remove_earlier_data(self, ident: str) -> None:
        """An identifier used again (after a delete, or in an earlier run on this state dir): its old folders go."""
        folder = self.server.settings.state_dir / "rds"
        mine = re.compile(re.escape(ident) + "-[0-9a-f]{8}")
        in_use = {server.root for server in self.servers.values()}
        for earlier in folder.glob("*") if folder.is_dir() else ():
            if mine.fullmatch(earlier.name) and earlier not in in_use:
                shutil.rmtree(earlier, ignore_errors=True)

    def on_delete(self, ident: str) -> None:
        db_server = self.servers.pop(ident, None)
        relay = self.relays.pop(ident, None)
        if db_server:
            self._schedule(self._remove(db_server, relay))

    def on_stop(self, instance: Any) -> None:
        db_server = self.servers.get(instance.db_instance_identifier)
        if db_server:
            instance.status = "stopping"
            self._schedule(self._stop(instance, db_server))

    def on_start(self, instance: Any) -> None:
        db_server = self.servers.get(instance.db_instance_identifier)
        if db_server:
            instance.status = "starting"
            self._schedule(self._start(instance, db_server, "available"))

    def on_reboot(self, instance: Any) -> None:
        db_server = self.servers.get(instance.db_instance_identifier)
        if db_server:
            instance.status = "rebooting"
            self._schedule(self._restart(instance, db_server))

    def on_password(self, instance: Any, password: str) -> None:
        db_server = self.servers.get(instance.db_instance_identifier)
        if db_server and db_server.running:
            db_server.set_master_password(password)

    def _relay(self, ident: str, rule_port: int, db_server: DbServer) -> Relay:
        vpc = self.server.vpc

        def admission(peer: tuple[str, int], local: tuple[str, int]) -> Any:
            return vpc.admit_db_instance(ident, rule_port, peer, local)

        return Relay("127.0.0.1", free_port(), lambda: db_server.port, admission if vpc.enforcing else None)

    # -- on the loop -------------------------------------------------------------------------------
    def _schedule(self, coro: Any) -> None:
        assert self.loop is not None
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)

    async def _set_status(self, instance: Any, status: str) -> None:
        created = getattr(instance, "pocketcloud_created_at", None)
        if status == "available" and created is not None:
            # A new instance stays `creating` for its (scaled-down) creation time, then shows `backing-up`
            # while RDS takes its first automated backup when BackupRetentionPeriod > 0 ("Viewing instance
            # status", RDS User Guide), and only then `available`.
            instance.pocketcloud_created_at = None
            settings = self.server.settings
            await asyncio.sleep(max(0.0, created + settings.db_instance_create_seconds - time.monotonic()))
            if int(instance.backup_retention_period or 0) > 0 and settings.db_instance_backup_seconds > 0:
                await self._apply_status(instance, "backing-up")
                await asyncio.sleep(settings.db_instance_backup_seconds)
        await self._apply_status(instance, status)

    async def _apply_status(self, instance: Any, status: str) -> None:
        def apply() -> None:
            if instance.status != DELETING:  # deleted meanwhile: its server's late start changes nothing
                instance.status = status

        await self.server.moto.run(apply)

    async def _start(self, instance: Any, db_server: DbServer, status: str) -> None:
        try:
            await db_server.start(self.server.processes)
            relay = self.relays.get(instance.db_instance_identifier)
            if relay is not None:
                await relay.open()
        except Exception:
            log.exception("DB instance %s failed to start", instance.db_instance_identifier)
            await self._set_status(instance, "failed")
            return
        await self._set_status(instance, status)

    async def _stop(self, instance: Any, db_server: DbServer) -> None:
        await self._close_relay(instance.db_instance_identifier)
        await db_server.stop()
        await self._set_status(instance, "stopped")

    async def _restart(self, instance: Any, db_server: DbServer) -> None:
        await self._close_relay(instance.db_instance_identifier)
        await db_server.stop()
        await self._start(instance, db_server, "available")

    async def _close_relay(self, ident: str) -> None:
        relay = self.relays.get(ident)
        if relay is not None:
            await relay.close()

    async def _remove(self, db_server: DbServer, relay: Relay | None) -> None:
        if relay is not None:
            await relay.close()
        await db_server.stop(grace=5)
        await asyncio.to_thread(db_server.remove_data)

    async def stop_all(self) -> None:
        await asyncio.gather(*(r.close() for r in self.relays.values()), return_exceptions=True)
        await asyncio.gather(*(s.stop(grace=5) for s in self.servers.values()), return_exceptions=True)

    def status(self) -> dict[str, Any]:
        return {
            "server_binary": self.binary or f"none found. {INSTALL_HINT}",
            "instances": {
                ident: {
                    "port": self.relays[ident].port if ident in self.relays else s.port,  # the endpoint's
                    "server_port": s.port,  # where the DB server itself listens, behind the endpoint's relay
                    "running": s.running,
                    "max_connections": s.max_connections,
                }
                for ident, s in self.servers.items()
            },
        }
