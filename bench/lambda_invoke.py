"""Lambda Invoke on pocketcloud against floors measured in the same run.

Run: ``.venv/bin/python bench/lambda_invoke.py`` (about three minutes). Targets on a 2-core machine:
warm raw-HTTP p50 at most 3x the floor's; invokes/s at 8 callers at least 0.5x the floor's; cold
start at most 2x ``python -c "import awslambdaric"``.

Rates are also measured against a relay-only server in front of the same awslambdaric processes
(``_relay.py``): "relay vs floor" is the most any server could reach on this host, and "pocketcloud
vs relay" is what pocketcloud's own work costs.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import (
    alternating,
    connection,
    cpu_report,
    floor_server,
    lambda_role,
    latencies,
    paired_ratio,
    pct,
    relay_rows,
    request,
    table,
    throughput,
)
from _relay import relay_server

import pocketcloud

SECONDS = 1.5  # per round; each rate is the median of the rounds taken in turns (_common.ROUNDS)
HANDLER = "def handler(event, context):\n    return 1\n"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def main() -> None:
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-code-") as code_dir,
        pocketcloud.running() as cloud,
        floor_server() as floor_listener,
        relay_server(code_dir, HANDLER, "app.handler") as relay,
    ):
        lam = cloud.client("lambda")
        role = lambda_role(cloud)
        lam.create_function(
            FunctionName="bench", Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": _zip()}
        )
        lam.get_waiter("function_active_v2").wait(FunctionName="bench", WaiterConfig={"Delay": 0.1, "MaxAttempts": 300})
        port = int(cloud.endpoint_url.rsplit(":", 1)[1])
        floor_port, relay_port = floor_listener.port, relay.port
        path = "/2015-03-31/functions/bench/invocations"

        boto = latencies(lambda: lam.invoke(FunctionName="bench", Payload=b"{}")["Payload"].read(), 300)
        conns = {port: connection(port), floor_port: connection(floor_port)}
        raw, floor = alternating(
            lambda p: (0.0, latencies(lambda: request(conns[p], "POST", path, b"{}"), 300)), (port, floor_port)
        )
        raw_ms, floor_ms = raw.samples, floor.samples
        rows.append(("warm invoke p50, boto3", pct(boto, 50), pct(floor_ms, 50), "ms", "(informative)"))
        rows.append(("warm invoke p95, boto3", pct(boto, 95), pct(floor_ms, 95), "ms", "(informative)"))
        rows.append(("warm invoke p50, raw HTTP keep-alive", pct(raw_ms, 50), pct(floor_ms, 50), "ms", "<= 3x"))
        rows.append(("warm invoke p95, raw HTTP keep-alive", pct(raw_ms, 95), pct(floor_ms, 95), "ms", "(informative)"))

        cpu = ""
        for clients in (1, 8, 32):
            ours, relayed, floor = alternating(
                lambda p, n=clients: throughput(p, "POST", path, b"{}", n, SECONDS),
                (port, relay_port, floor_port),
                pids=(cloud.pid, relay.pid, floor_listener.pid),
            )
            target = ">= 0.5x" if clients == 8 else "(informative)"
            rows.append(
                (f"invokes/s, {clients} callers", ours.rate, floor.rate, "/s", target, paired_ratio(ours, floor))
            )
            if clients == 8:
                rows += relay_rows("invokes/s, 8 callers", ours, relayed, floor)
                cpu = cpu_report("CPU per invoke, 8 callers", ours, relayed, floor, 0.5)

        colds = []
        for i in range(10):
            lam.update_function_configuration(FunctionName="bench", Environment={"Variables": {"RUN": str(i)}})
            lam.get_waiter("function_updated_v2").wait(FunctionName="bench", WaiterConfig={"Delay": 0.1})
            log = base64.b64decode(lam.invoke(FunctionName="bench", LogType="Tail")["LogResult"]).decode()
            colds.append(float(re.search(r"Init Duration: ([\d.]+) ms", log).group(1)))
        imports = []
        for _ in range(10):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import awslambdaric"], check=True)
            imports.append((time.perf_counter() - started) * 1000)
        rows.append(("cold start (Init Duration) p50", pct(colds, 50), pct(imports, 50), "ms", "<= 2x"))
    print(table(rows))
    print()
    print(cpu)


if __name__ == "__main__":
    main()
