"""API Gateway -> Lambda on pocketcloud against a trivial loopback HTTP server, same clients, same run.

Run: ``.venv/bin/python bench/api_gateway.py`` (about two minutes). Targets on a 2-core machine: req/s
at 16 clients at least 0.5x the floor's; p50 at 1 client at most 3x the floor's.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import alternating, floor_server, paired_ratio, pct, table, throughput

import pocketcloud

SECONDS = 1.5  # per round; each rate is the median of the rounds taken in turns (_common.ROUNDS)
HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def _deploy(cloud: pocketcloud.Cloud) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    lam, apigw = cloud.client("lambda"), cloud.client("apigateway")
    role = cloud.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    arn = lam.create_function(
        FunctionName="bench",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )["FunctionArn"]
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


def main() -> None:
    rows = []
    with pocketcloud.running() as cloud, floor_server() as floor_port:
        path = _deploy(cloud)
        port = int(cloud.endpoint_url.rsplit(":", 1)[1])
        throughput(port, "GET", path, None, 16, 1.0)  # warm up environments
        for clients in (1, 16, 64):
            ours, floor = alternating(
                lambda p, n=clients: throughput(p, "GET", path, None, n, SECONDS), (port, floor_port)
            )
            lat, floor_lat = ours.samples, floor.samples
            target = ">= 0.5x" if clients == 16 else "(informative)"
            rows.append((f"req/s, {clients} clients", ours.rate, floor.rate, "/s", target, paired_ratio(ours, floor)))
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


if __name__ == "__main__":
    main()
