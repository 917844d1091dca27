"""API Gateway -> Lambda on pocketcloud against a trivial loopback HTTP server, same clients, same run.

Run: ``.venv/bin/python bench/api_gateway.py`` (about three minutes). Targets on a 2-core machine:
req/s at 16 clients at least 0.5x the floor's; p50 at 1 client at most 3x the floor's.

Rates are also measured against a relay-only server (``_relay.py``) that hands the same
awslambdaric processes an API Gateway proxy event of the same shape: the most any server could
reach on this host with this function.
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import (
    alternating,
    cpu_report,
    floor_server,
    lambda_role,
    paired_ratio,
    pct,
    relay_rows,
    table,
    throughput,
)
from _relay import relay_server
from multidict import CIMultiDict

import pocketcloud
from pocketcloud.apigateway.proxy import EventTemplate
from pocketcloud.fastlane import Request
from pocketcloud.ids import request_id

SECONDS = 1.5  # per round; each rate is the median of the rounds taken in turns (_common.ROUNDS)
HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def _deploy(cloud: pocketcloud.Cloud) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    lam, apigw = cloud.client("lambda"), cloud.client("apigateway")
    role = lambda_role(cloud)
    arn = lam.create_function(
        FunctionName="bench",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName="bench", WaiterConfig={"Delay": 0.1, "MaxAttempts": 300})
    lam.add_permission(
        FunctionName="bench", StatementId="apigw", Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com"
    )
    api = apigw.create_rest_api(name="bench")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    uri = f"arn:aws:apigateway:{cloud.region}:lambda:path/2015-03-31/functions/{arn}/invocations"
    apigw.put_integration(
        restApiId=api, resourceId=root, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST", uri=uri
    )
    apigw.create_deployment(restApiId=api, stageName="bench")
    return f"/restapis/{api}/bench/_user_request_/"


def _proxy_event() -> bytes:
    """The event pocketcloud builds for the bench's requests, for the relay to hand out."""
    headers = CIMultiDict({"Host": "127.0.0.1:4566", "Accept-Encoding": "identity", "Content-Type": "application/json"})
    template = EventTemplate(
        api_id="bench0api1",
        stage="bench",
        account_id="123456789012",
        method="GET",
        resource_id="root000001",
        resource_path="/",
        path="/",
        path_parameters={},
        stage_variables={},
    )
    return template.render(Request("GET", "/", "", headers, b"", "127.0.0.1"), b"", request_id())


def main() -> None:
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-code-") as code_dir,
        pocketcloud.running() as cloud,
        floor_server() as floor_listener,
        relay_server(code_dir, HANDLER, "app.handler", _proxy_event()) as relay,
    ):
        path = _deploy(cloud)
        port = int(cloud.endpoint_url.rsplit(":", 1)[1])
        floor_port, relay_port = floor_listener.port, relay.port
        cpu = ""
        for warm in (port, relay_port):
            throughput(warm, "GET", path, None, 16, 1.0)  # start the environments
        for clients in (1, 16, 64):
            ours, relayed, floor = alternating(
                lambda p, n=clients: throughput(p, "GET", path, None, n, SECONDS),
                (port, relay_port, floor_port),
                pids=(cloud.pid, relay.pid, floor_listener.pid),
            )
            lat, floor_lat = ours.samples, floor.samples
            target = ">= 0.5x" if clients == 16 else "(informative)"
            rows.append((f"req/s, {clients} clients", ours.rate, floor.rate, "/s", target, paired_ratio(ours, floor)))
            if clients == 16:
                rows += relay_rows("req/s, 16 clients", ours, relayed, floor)
                cpu = cpu_report("CPU per request, 16 clients", ours, relayed, floor, 0.5)
            rows.append(
                (
                    f"p50, {clients} clients",
                    pct(lat, 50),
                    pct(floor_lat, 50),
                    "ms",
                    "<= 3x" if clients == 1 else "(informative)",
                )
            )
            rows.append((f"p95, {clients} clients", pct(lat, 95), pct(floor_lat, 95), "ms", "(informative)"))
    print(table(rows))
    print()
    print(cpu)


if __name__ == "__main__":
    main()
