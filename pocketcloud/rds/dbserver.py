"""A real MariaDB (or MySQL) server process behind one RDS DB instance."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pymysql

if TYPE_CHECKING:
    from ..processes import Child, ProcessGroup

INSTALL_HINT = "Install one with: sudo apt-get install mariadb-server (or set POCKETCLOUD_DB_SERVER to mariadbd/mysqld)"


def find_server_binary(configured: str = "") -> str | None:
    """The DB server binary: the setting, else mariadbd/mysqld on PATH or in /usr/sbin."""
    if configured:  # a path (made absolute in Settings) or a bare name to look up on PATH
        return configured if os.access(configured, os.X_OK) else shutil.which(configured)
    for name in ("mariadbd", "mysqld"):
        found = shutil.which(name) or (f"/usr/sbin/{name}" if os.access(f"/usr/sbin/{name}", os.X_OK) else None)
        if found:
            return found
    return None


def _install_db_binary(server_binary: str) -> str | None:
    folder = Path(server_binary).resolve().parent
    for name in ("mariadb-install-db", "mysql_install_db"):
        for candidate in (shutil.which(name), folder / name, folder.parent / "bin" / name):
            if candidate and os.access(str(candidate), os.X_OK):
                return str(candidate)
    return None


def admin_socket_path(data_root: Path) -> Path:
    """Where the server's admin socket lives.

    A unix socket's path holds at most 107 bytes, and the data dir sits as deep as the folder the
    learner started pocketcloud in (MariaDB refuses to start past the limit), so the socket goes into
    a short per-user folder under the temp dir, named by a digest of the data dir.

    >>> len(str(admin_socket_path(Path("/very" + "/deep" * 40)))) < 107
    True
    """
    folder = Path(tempfile.gettempdir()) / f"pocketcloud-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid():
        raise RuntimeError(f"{folder} belongs to another user; set TMPDIR to a folder of your own")
    return folder / f"{hashlib.sha256(str(data_root).encode()).hexdigest()[:20]}.sock"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class DbServer:
    """One server: data dir, port, master user. ``start`` initialises the data dir on first use."""

    def __init__(
        self, binary: str, data_root: Path, port: int, max_connections: int, master_user: str, master_password: str,
        db_name: str | None,
    ) -> None:  # fmt: skip
        self.binary = binary
        self.root = data_root
        self.data_dir = data_root / "data"
        self.socket = admin_socket_path(data_root)
        self.port = port
        self.max_connections = max_connections
        self.master_user = master_user
        self.master_password = master_password
        self.db_name = db_name
        self._admin_password_file = data_root / "admin.secret"
        self._proc: Child | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc else None

    async def _initialise(self) -> Path | None:
        """Create the data dir on first start; returns the bootstrap SQL file to run once."""
        if self.data_dir.exists():
            return None
        self.root.mkdir(parents=True, exist_ok=True)
        install = _install_db_binary(self.binary)
        if install is None:
            raise RuntimeError("mariadb-install-db / mysql_install_db not found next to " + self.binary)
        args = [install, "--no-defaults", f"--datadir={self.data_dir}", "--auth-root-authentication-method=normal"]
        args += ["--skip-test-db"] + (["--user=root"] if os.geteuid() == 0 else [])
        # Seen once in ~10 restarts on a loaded host, cause unknown (the installer's help text hid it): a
        # second attempt on an emptied dir, and the installer's first lines (where its error is) if both fail.
        for attempt in (1, 2):
            proc = await asyncio.create_subprocess_exec(
                *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
            )
            output, _ = await proc.communicate()
            if proc.returncode == 0:
                break
            shutil.rmtree(self.data_dir, ignore_errors=True)
            if attempt == 2:
                text = output.decode(errors="replace")
                raise RuntimeError(f"initialising the DB data dir failed: {text[:1500]} ... {text[-300:]}")
        admin = secrets.token_urlsafe(24)
        self._admin_password_file.write_text(admin)
        self._admin_password_file.chmod(0o600)
        user = _sql_string(self.master_user)
        statements = [
            f"ALTER USER 'root'@'localhost' IDENTIFIED BY {_sql_string(admin)}",
            "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost'",
            "DELETE FROM mysql.global_priv WHERE User = ''",
            "FLUSH PRIVILEGES",
            f"CREATE USER {user}@'%' IDENTIFIED BY {_sql_string(self.master_password)}",
            f"GRANT ALL PRIVILEGES ON *.* TO {user}@'%' WITH GRANT OPTION",
        ]
        if self.db_name:
            statements.append(f"CREATE DATABASE IF NOT EXISTS `{self.db_name}`")
        bootstrap = self.root / "bootstrap.sql"
        bootstrap.write_text(";\n".join(statements) + ";\n")
        bootstrap.chmod(0o600)
        return bootstrap

    async def start(self, processes: ProcessGroup, timeout: float = 60) -> None:
        bootstrap = await self._initialise()
        args = [
            self.binary,
            "--no-defaults",
            f"--datadir={self.data_dir}",
            f"--socket={self.socket}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={self.root / 'mysqld.pid'}",
            f"--max-connections={self.max_connections}",
            f"--log-error={self.root / 'error.log'}",
            # Lean settings: a laptop runs several of these next to the workshop.
            "--innodb-buffer-pool-size=16M",
            "--skip-log-bin",
            "--performance-schema=OFF",
            "--skip-name-resolve",
            "--max-connect-errors=1000000",
        ]
        if os.geteuid() == 0:
            args.append("--user=root")
        if bootstrap:
            args.append(f"--init-file={bootstrap}")
        self._proc = await processes.spawn(args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await self._wait_ready(timeout)
        if bootstrap:
            bootstrap.unlink(missing_ok=True)

    async def _wait_ready(self, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if not self.running:
                log = (
                    (self.root / "error.log").read_text(errors="replace")[-1500:]
                    if (self.root / "error.log").exists()
                    else ""
                )
                raise RuntimeError(f"DB server exited during start:\n{log}")
            try:
                await asyncio.to_thread(self._ping)
                return
            except pymysql.err.OperationalError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)

    def _ping(self) -> None:
        self.admin().close()

    def admin(self) -> pymysql.Connection:
        """A root connection over the unix socket (blocking; call from a thread)."""
        return pymysql.connect(
            unix_socket=str(self.socket), user="root", password=self._admin_password_file.read_text(), connect_timeout=2
        )

    def set_master_password(self, password: str) -> None:
        with contextlib.closing(self.admin()) as conn, conn.cursor() as cursor:
            # '%%' is the any-host wildcard, escaped for pymysql's parameter formatting.
            cursor.execute(f"ALTER USER {_sql_string(self.master_user)}@'%%' IDENTIFIED BY %s", (password,))
        self.master_password = password

    async def stop(self, grace: float = 10) -> None:
        if not self.running or self._proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self._proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self._proc.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
            await self._proc.wait()

    async def kill(self) -> None:
        """Crash the server (for fault tests): SIGKILL, no clean shutdown."""
        if self._proc and self.running:
            self._proc.kill()
            await self._proc.wait()

    def remove_data(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.socket.unlink(missing_ok=True)
