"""How long an execution environment stays unavailable between two invocations, against its Duration.

AWS counts an environment busy from the event handed over until its runtime asks for the next one
(Runtime API ``/next``). pocketcloud counts an invocation in flight from its admission until the result is
posted, and hands the environment its next event as soon as the runtime asks. This bench measures, on a
pocketcloud whose Runtime API is timed from inside the server:

- Duration (event handed over -> result posted), and the gap (result posted -> the runtime's next ``next``),
- with 3 callers invoking a 1.7 ms function (``time.sleep``) as fast as they can, reserved concurrency 3,
- with the two cores otherwise idle, and with two CPU-bound processes at normal priority standing for
  Locust and the rest of the machine, each with the environments at niceness 10 + SCHED_BATCH (the
  defaults) and at niceness 0 without SCHED_BATCH.

Throttles with 3 callers on 3 reserved environments would mean pocketcloud counts an environment busy
for longer than its callers hold it.

Run: ``.venv/bin/python bench/lambda_busy.py`` (about a minute). Prints a table; no targets.
"""

from __future__ import annotations

import concurrent.futures
import io
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import botocore.config
import botocore.exceptions
from _common import lambda_role, pct

import pocketcloud
from pocketcloud.settings import Settings

HANDLER = "import time\ndef handler(event, context):\n    time.sleep(0.0017)\n    return 1\n"
SECONDS = 6.0
CALLERS = 3


def _serve_timed(out_path: str) -> None:
    """The server, with its Runtime API and environments timed; the samples go to ``out_path`` as JSON."""
    from pocketcloud import server
    from pocketcloud.lambda_ import environment, runtime_api

    gaps: list[float] = []
    durations: list[float] = []
    posted: dict[int, float] = {}
    settle, handle, invoke = (
        runtime_api.RuntimeApi._settle,
        runtime_api.RuntimeApi.handle,
        environment.ExecutionEnvironment.invoke,
    )

    def timed_settle(self: Any, *args: Any) -> None:
        posted[id(self)] = time.perf_counter()
        settle(self, *args)

    def timed_handle(self: Any, connection: Any, method: str, path: str, body: bytes) -> None:
        if method == "GET" and path.endswith("/invocation/next") and id(self) in posted:
            gaps.append((time.perf_counter() - posted.pop(id(self))) * 1000)
        handle(self, connection, method, path, body)

    async def timed_invoke(self: Any, invocation: Any) -> Any:
        outcome = await invoke(self, invocation)
        durations.append(outcome.duration_ms)
        return outcome

    runtime_api.RuntimeApi._settle = timed_settle  # type: ignore[method-assign,assignment]
    runtime_api.RuntimeApi.handle = timed_handle  # type: ignore[method-assign]
    environment.ExecutionEnvironment.invoke = timed_invoke  # type: ignore[method-assign]

    def dump_forever() -> None:
        while True:
            time.sleep(0.5)
            Path(out_path).write_text(json.dumps({"gaps": list(gaps), "durations": list(durations)}))

    threading.Thread(target=dump_forever, daemon=True).start()
    server.serve(Settings.from_env())


def _hog(stop: Any) -> None:
    while not stop.is_set():
        sum(range(10_000))


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def _round(nice: int, batch: bool, hogs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-busy-") as state:
        samples = Path(state) / "samples.json"
        env = {
            **os.environ,
            "POCKETCLOUD_STATE_DIR": state,
            "POCKETCLOUD_PORT": "0",
            "POCKETCLOUD_XRAY_PORT": "0",
            "POCKETCLOUD_LAMBDA_NICE": str(nice),
            "POCKETCLOUD_LAMBDA_BATCH": str(batch).lower(),
        }
        settings = Settings.from_env(env)
        proc = subprocess.Popen([sys.executable, __file__, "serve", str(samples)], env=env)
        try:
            deadline = time.monotonic() + 60
            cloud = None
            while cloud is None:
                assert time.monotonic() < deadline, "the timed server did not start"
                time.sleep(0.2)
                cloud = pocketcloud.attach(settings)
            return _measure(cloud, samples, hogs)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _measure(cloud: pocketcloud.Cloud, samples: Path, hogs: int) -> dict[str, Any]:
    lam = cloud.client("lambda", config=botocore.config.Config(retries={"total_max_attempts": 1}))
    lam.create_function(
        FunctionName="busy",
        Runtime="python3.12",
        Role=lambda_role(cloud),
        Handler="app.handler",
        Code={"ZipFile": _zip()},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName="busy", WaiterConfig={"Delay": 0.1, "MaxAttempts": 300})
    lam.put_function_concurrency(FunctionName="busy", ReservedConcurrentExecutions=CALLERS)
    counts = {"ok": 0, "throttled": 0}
    lock = threading.Lock()

    def caller(until: float) -> None:
        client = cloud.client("lambda", config=botocore.config.Config(retries={"total_max_attempts": 1}))
        while time.monotonic() < until:
            try:
                client.invoke(FunctionName="busy", Payload=b"{}")
                key = "ok"
            except botocore.exceptions.ClientError as exc:
                assert exc.response["Error"]["Code"] == "TooManyRequestsException", exc
                key = "throttled"
            with lock:
                counts[key] += 1

    with concurrent.futures.ThreadPoolExecutor(CALLERS) as pool:  # warm the three environments
        list(pool.map(lambda _: lam.invoke(FunctionName="busy", Payload=b"{}"), range(CALLERS)))
    stop = multiprocessing.Event()
    hog_procs = [multiprocessing.Process(target=_hog, args=(stop,)) for _ in range(hogs)]
    for p in hog_procs:
        p.start()
    try:
        counts = {"ok": 0, "throttled": 0}
        time.sleep(0.6)  # let the samples of the warm-up be dumped, then forget them
        skip = json.loads(samples.read_text())
        until = time.monotonic() + SECONDS
        with concurrent.futures.ThreadPoolExecutor(CALLERS) as pool:
            list(pool.map(caller, [until] * CALLERS))
        time.sleep(0.7)
    finally:
        stop.set()
        for p in hog_procs:
            p.join()
    data = json.loads(samples.read_text())
    gaps, durations = data["gaps"][len(skip["gaps"]) :], data["durations"][len(skip["durations"]) :]
    return {"counts": counts, "gaps": gaps, "durations": durations}


def main() -> None:
    print(f"{CALLERS} callers, reserved concurrency {CALLERS}, a 1.7 ms handler, {SECONDS:.0f} s per round")
    print(f"{'environments':<24}{'CPU hogs':>9}{'calls/s':>9}{'throttled':>10}{'Duration p50/p95 ms':>22}"
          f"{'gap p50/p95 ms':>17}{'gap/Duration':>14}")  # fmt: skip
    for nice, batch in ((10, True), (0, False)):
        for hogs in (0, 2):
            result = _round(nice, batch, hogs)
            gaps, durations, counts = result["gaps"], result["durations"], result["counts"]
            calls = counts["ok"] + counts["throttled"]
            label = f"nice {nice}" + (" + SCHED_BATCH" if batch else "")
            print(
                f"{label:<24}{hogs:>9}{calls / SECONDS:>9.0f}{counts['throttled']:>10}"
                f"{pct(durations, 50):>11.2f} / {pct(durations, 95):<8.2f}"
                f"{pct(gaps, 50):>7.2f} / {pct(gaps, 95):<7.2f}"
                f"{pct(gaps, 50) / max(pct(durations, 50), 1e-9):>12.2f}"
            )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "serve":
        _serve_timed(sys.argv[2])
    else:
        main()
