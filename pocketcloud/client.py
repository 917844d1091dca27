"""Start, find and stop a pocketcloud server, and talk to it from Python."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .settings import Settings

DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class Cloud:
    """A handle on a running pocketcloud.

    Example::

        with pocketcloud.running() as cloud:
            lam = cloud.client("lambda")
            print(cloud.status()["services"])
    """

    def __init__(self, endpoint_url: str, settings: Settings, ports: dict[str, int], pid: int) -> None:
        self.endpoint_url = endpoint_url
        self.settings = settings
        self.ports = ports
        self.pid = pid

    @property
    def region(self) -> str:
        return self.settings.region

    def env(self) -> dict[str, str]:
        """Environment variables that point boto3 / the AWS CLI at this pocketcloud."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            **DUMMY_CREDENTIALS,
        }

    def client(self, service: str, **kwargs: Any) -> Any:
        import boto3
        from botocore.config import Config

        # One attempt, no retry: tests and benchmarks count every throttle and error as it happened.
        kwargs.setdefault("config", Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            **kwargs,
        )

    def admin(self, path: str, method: str = "GET", body: Any = None, timeout: float = 10) -> Any:
        """Call one of pocketcloud's own endpoints under ``/_pocketcloud/``."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint_url}/_pocketcloud/{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = self.admin("status")
        return status

    def api_url(self, api_id: str, stage: str, path: str = "") -> str:
        """The invoke URL of a deployed REST API stage, as pocketcloud serves it."""
        return f"{self.endpoint_url}/restapis/{api_id}/{stage}/_user_request_/{path.lstrip('/')}"

    def mailbox(self) -> list[dict[str, Any]]:
        """Emails that SNS delivered to email / email-json subscriptions."""
        emails: list[dict[str, Any]] = self.admin("mailbox")
        return emails

    def is_alive(self) -> bool:
        try:
            return bool(self.admin("health", timeout=2)["status"] == "ok")
        except (OSError, urllib.error.URLError, ValueError):
            return False


def read_ready(settings: Settings) -> dict[str, Any] | None:
    """What the server wrote once ready (pid, endpoint, ports), or None."""
    try:
        ready: dict[str, Any] = json.loads(settings.ready_file.read_text())
        return ready
    except (FileNotFoundError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def attach(settings: Settings | None = None) -> Cloud | None:
    """The running pocketcloud that ``settings`` point at, or None.

    First the one whose ready file is in ``settings.state_dir``; failing that, whatever pocketcloud
    answers on ``settings.port``, whichever folder it was started from (a learner's ``pocketcloud up``
    in one folder and a notebook kernel in another find the same cloud, as the AWS CLI would).
    """
    settings = settings or Settings.from_env()
    ready = read_ready(settings)
    if ready and pid_alive(ready["pid"]):
        cloud = Cloud(ready["endpoint_url"], settings, ready["ports"], ready["pid"])
        if cloud.is_alive():
            return cloud
    return _attach_by_port(settings)


def _attach_by_port(settings: Settings) -> Cloud | None:
    if not settings.port:
        return None  # a private cloud on a free port is only found through its state dir
    try:
        health = Cloud(settings.endpoint_url, settings, {}, 0).admin("health", timeout=2)
    except (OSError, urllib.error.URLError, ValueError):
        return None
    if not isinstance(health, dict) or health.get("status") != "ok" or "state_dir" not in health:
        return None
    own = dataclasses.replace(settings, state_dir=Path(health["state_dir"]))
    return Cloud(health["endpoint_url"], own, health["ports"], health["pid"])


def start(settings: Settings | None = None) -> Cloud:
    """Start pocketcloud in the background (own session, log file) and wait until it is ready."""
    settings = settings or Settings.from_env()
    existing = attach(settings)
    if existing:
        return existing
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    settings.ready_file.unlink(missing_ok=True)
    env = {**os.environ, **settings.to_env(), "PYTHONUNBUFFERED": "1"}
    with open(settings.log_file, "ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pocketcloud", "serve"],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    settings.pid_file.write_text(str(proc.pid))
    deadline = time.monotonic() + settings.start_timeout
    while time.monotonic() < deadline:
        ready = read_ready(settings)
        if ready and ready["pid"] == proc.pid:
            return Cloud(ready["endpoint_url"], settings, ready["ports"], proc.pid)
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    _kill_group(proc.pid)
    tail = settings.log_file.read_text(errors="replace")[-3000:] if settings.log_file.exists() else ""
    raise RuntimeError(f"pocketcloud did not start (exit code {proc.poll()}). Log tail:\n{tail}")


def stop(settings: Settings | None = None, timeout: float = 15.0) -> bool:
    """Stop the pocketcloud of this state dir and every process it started. True if one ran."""
    settings = settings or Settings.from_env()
    if not settings.pid_file.exists():
        found = _attach_by_port(settings)  # started from another folder
        if found is None:
            return False
        settings = found.settings
    try:
        pid = int(settings.pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return False
    was_running = pid_alive(pid)
    if was_running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.05)
    _kill_group(pid)
    settings.pid_file.unlink(missing_ok=True)
    settings.ready_file.unlink(missing_ok=True)
    return was_running


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _kill_group(pid: int) -> None:
    """SIGKILL whatever is left in the server's process group (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    _reap(pid)


@contextlib.contextmanager
def running(state_dir: str | Path | None = None, **overrides: Any) -> Iterator[Cloud]:
    """A private pocketcloud for the ``with`` block: free ports, its own state dir, stopped after.

    Example::

        with pocketcloud.running() as cloud:
            cloud.client("s3").create_bucket(Bucket="demo")
    """
    overrides.setdefault("port", 0)
    overrides.setdefault("xray_port", 0)
    with contextlib.ExitStack() as stack:
        if state_dir is None:
            state_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="pocketcloud-"))
        settings = Settings.from_env(state_dir=Path(state_dir), **overrides)
        cloud = start(settings)
        try:
            yield cloud
        finally:
            stop(settings)
