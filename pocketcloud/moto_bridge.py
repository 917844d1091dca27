"""moto, in-process, as pocketcloud's control plane.

moto is synchronous WSGI. Every call into it (HTTP requests and direct backend access) runs under
one lock, so moto's plain-dict state is never touched by two threads at once: HTTP requests on a
small thread pool, so the data planes on the event loop never wait on them; the data planes' batched
writes on the loop itself whenever the lock is free (:meth:`MotoBridge.run_here_if_free`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import io
import logging
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from aiohttp import web

from .errors import json_error, query_error
from .moto_hooks import moto_hook, registry

log = logging.getLogger("pocketcloud.moto")

T = TypeVar("T")

# Headers that aiohttp computes itself; copying moto's would duplicate or contradict them.
_HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "keep-alive", "server", "date"}


class MotoBridge:
    def __init__(self, account_id: str, region: str, threads: int = 8) -> None:
        self.account_id = account_id
        self.region = region
        self.lock = threading.RLock()
        self._pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="moto")
        self._app: Any = None
        self._backends: dict[tuple[str, str, str], Any] = {}
        self._modules_frozen = len(sys.modules)
        registry.register(HOOKS)

    def _wsgi_app(self) -> Any:
        if self._app is None:
            from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

            self._app = DomainDispatcherApplication(create_backend_app)
        return self._app

    def call_locked(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` under the moto lock in the current thread (use from worker threads only)."""
        with self.lock:
            try:
                return fn(*args, **kwargs)
            finally:
                self._freeze_new_modules()

    def _freeze_new_modules(self) -> None:
        """moto loads a service's modules on its first request; keep the collector off what they
        brought, as the server did for everything loaded before it was ready."""
        if len(sys.modules) != self._modules_frozen:
            gc.freeze()
            self._modules_frozen = len(sys.modules)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on the moto pool under the moto lock; for state changes from data planes."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: self.call_locked(fn, *args, **kwargs))

    async def run_here_if_free(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the calling (event loop) thread when no worker holds moto, else as :meth:`run`.

        For the data planes' batched writes (log lines, metric sets): handing each batch to a worker
        thread made the worker and the loop contend for the GIL, which cost ~45 us per Lambda invoke
        at 8 callers (bench/lambda_invoke.py); a batch itself takes a millisecond or two.
        """
        if self.lock.acquire(blocking=False):
            try:
                return fn(*args)
            finally:
                self.lock.release()
        return await self.run(fn, *args)

    def backend(self, service: str, region: str | None = None, account_id: str | None = None) -> Any:
        """moto's backend object for ``service`` (e.g. ``"lambda"``, ``"rds"``, ``"logs"``); cached, as the
        data planes ask on every request."""
        key = (service, account_id or self.account_id, region or self.region)
        cached = self._backends.get(key)
        if cached is not None:
            return cached
        from moto.backends import get_backend

        backends = get_backend(service)  # type: ignore[call-overload]
        account = backends[key[1]]
        backend = account["global"] if service in {"iam", "route53"} else account[key[2]]
        self._backends[key] = backend
        self._freeze_new_modules()
        return backend

    async def forward(self, request: web.Request, body: bytes) -> web.Response:
        """Send one HTTP request to moto and turn its WSGI answer into an aiohttp response."""
        environ = _environ(request, body)
        try:
            status, headers, payload = await self.run(self._call_wsgi, environ)
        except Exception as exc:  # a moto bug must still answer in AWS's shape
            log.exception("moto failed on %s %s", request.method, request.path)
            if "x-www-form-urlencoded" in request.headers.get("Content-Type", ""):
                return query_error("InternalFailure", f"pocketcloud: {exc!r}", 500)
            return json_error("InternalFailure", f"pocketcloud: {exc!r}", 500)
        response = web.Response(status=status, body=payload)
        for name, value in headers:
            if name.lower() not in _HOP_HEADERS:
                response.headers.add(name, value)
        return response

    def _call_wsgi(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = headers
            return lambda chunk: None

        result = self._wsgi_app()(environ, start_response)
        try:
            payload = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        return captured["status"], captured["headers"], payload

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@moto_hook("moto.core.common_models", "BaseModel", "__new__", ("cls", "*args", "**kwargs"))
def stop_instance_tracking(original: Any, common_models: ModuleType) -> object:
    """Keep moto from listing every model it makes in ``<Model>.instances_tracked``.

    Those lists feed moto's dashboard, which pocketcloud does not serve, and only a reset empties
    them: everything a learner deletes (log groups with their events, functions with their code)
    would stay in memory, and a load test writes three log events per invocation. Models now live
    as long as their backend refers to them.
    """

    def untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    return untracked_new


@moto_hook("moto.iam.models", None, "get_account_id_from", ("access_key",))
def look_up_keys_in_existing_backends(original: Any, iam: ModuleType) -> object:
    """Find a request's access key only in the IAM backends that exist.

    moto looks for the caller's access key in every partition's IAM backend (eight of them) on every
    request, creating each one on the way, and each loads AWS's ~1,300 managed policies: ~0.4 s on the
    first request, whatever the service. A key can only be in a backend that exists, so the answer is
    the same.
    """

    def get_account_id_from(access_key: str) -> str:
        for account_id, account in list(iam.iam_backends.items()):
            if any(access_key in backend.access_keys for backend in list(account.values())):
                return str(account_id)
        return str(iam.DEFAULT_ACCOUNT_ID)

    return get_account_id_from


@moto_hook("moto.iam.models", None, "mark_account_as_visited", ("account_id", "access_key", "service", "region"))
def mark_visits_in_existing_backends(original: Any, iam: ModuleType) -> object:
    """Mark a key's use only in an IAM backend that exists and holds it, for the reason above."""

    def mark_account_as_visited(account_id: str, access_key: str, service: str, region: str) -> None:
        account = iam.iam_backends.get(account_id)
        backend = dict.get(account, iam.get_partition(region)) if account is not None else None
        if backend is not None and access_key in backend.access_keys:
            original(account_id, access_key, service, region)

    return mark_account_as_visited


HOOKS = (stop_instance_tracking, look_up_keys_in_existing_backends, mark_visits_in_existing_backends)


def _environ(request: web.Request, body: bytes) -> dict[str, Any]:
    host = request.host or "127.0.0.1"
    server_name, _, server_port = host.partition(":")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        # WSGI wants the decoded path as latin-1 characters of the UTF-8 bytes.
        "PATH_INFO": request.path.encode("utf-8").decode("latin-1"),
        "RAW_URI": request.raw_path,
        "REQUEST_URI": request.raw_path,
        "QUERY_STRING": request.query_string,
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port or "80",
        "SERVER_PROTOCOL": f"HTTP/{request.version.major}.{request.version.minor}",
        "REMOTE_ADDR": request.remote or "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if "Content-Type" in request.headers:
        environ["CONTENT_TYPE"] = request.headers["Content-Type"]
    for name, value in request.headers.items():
        key = "HTTP_" + name.upper().replace("-", "_")
        if key in {"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"}:
            continue
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
