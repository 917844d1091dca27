"""RDS Proxy on pocketcloud: queries/s through the proxy vs direct, and how many clients share a
database connection. Run: ``.venv/bin/python bench/rds_proxy.py`` (about a minute).

Proxy and direct take rounds in turns; a ratio is the median of the per-round ratios, as in the
other benches (this host's speed drifts within minutes).

Targets: proxy throughput at least 0.5x direct at 8 clients; multiplexing ratio at least 5 at 200 clients.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pymysql
from _common import alternating, in_parallel, paired_ratio

import pocketcloud

PASSWORD = "Bench-Pass-12345"
SECONDS = 1.5  # per round of the throughput comparison
MULTIPLEX_SECONDS = 3.0  # of 200 clients, while the proxy's connections are sampled


def _setup(cloud: pocketcloud.Cloud) -> tuple[dict, str]:
    rds, ec2, sm = cloud.client("rds"), cloud.client("ec2"), cloud.client("secretsmanager")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.7.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    # The instance in the proxy's VPC: both carry its default security group, which admits itself, so the
    # proxy reaches its target (pocketcloud applies security groups as AWS does).
    rds.create_db_subnet_group(DBSubnetGroupName="bench", DBSubnetGroupDescription="bench", SubnetIds=subnets)
    rds.create_db_instance(
        DBInstanceIdentifier="bench", DBSubnetGroupName="bench", Engine="mysql", EngineVersion="8.4.7",
        DBInstanceClass="db.t3.micro", MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
    )  # fmt: skip
    secret = sm.create_secret(Name="bench", SecretString=json.dumps({"username": "admin", "password": PASSWORD}))["ARN"]
    rds.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier="bench", WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    proxy = rds.create_db_proxy(
        DBProxyName="bench", EngineFamily="MYSQL", Auth=[{"AuthScheme": "SECRETS", "SecretArn": secret}],
        RoleArn="arn:aws:iam::123456789012:role/bench", VpcSubnetIds=subnets,
    )["DBProxy"]  # fmt: skip
    rds.register_db_proxy_targets(DBProxyName="bench", DBInstanceIdentifiers=["bench"])
    return rds.describe_db_instances(DBInstanceIdentifier="bench")["DBInstances"][0]["Endpoint"], proxy["Endpoint"]


def _load(host: str, port: int, clients: int, seconds: float) -> tuple[float, int]:
    """Queries/s of ``clients`` connections looping SELECT NOW(); and how many failed to run."""
    done, failed = [0], [0]

    def worker(ready: Callable[[], object]) -> None:
        try:
            conn = pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, autocommit=True)
        except pymysql.err.Error:
            failed[0] += 1
            ready()
            return
        ready()
        end = time.perf_counter() + seconds
        count = 0
        with conn.cursor() as cursor:
            while time.perf_counter() < end:
                cursor.execute("SELECT NOW()")
                cursor.fetchone()
                count += 1
        done[0] += count
        conn.close()

    elapsed = in_parallel(clients, worker)
    return done[0] / elapsed, failed[0]


def main() -> None:
    with pocketcloud.running() as cloud:
        direct, proxy = _setup(cloud)
        lines = ["| measure | through the proxy | direct | ratio | target |", "|---|---:|---:|---:|---|"]
        endpoints = [(proxy, 3306), (direct["Address"], direct["Port"])]
        for clients in (8, 32):
            via_proxy, straight = alternating(
                lambda i, n=clients: (_load(*endpoints[i], n, SECONDS)[0], []), range(len(endpoints))
            )
            target = ">= 0.5x" if clients == 8 else "(informative)"
            ratio = paired_ratio(via_proxy, straight)
            row = (
                f"| queries/s, {clients} clients | {via_proxy.rate:,.0f} | {straight.rate:,.0f} | {ratio:.2f}x "
                f"| {target} |"
            )
            lines.append(row)
        sampled: list[dict] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                sampled.append(cloud.status()["services"]["rds"]["proxies"]["bench"])
                time.sleep(0.5)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, failed = _load(proxy, 3306, 200, MULTIPLEX_SECONDS)
        stop.set()
        sampler.join()
        busiest = max(sampled, key=lambda s: s["client_connections"])
        ratio = busiest["client_connections"] / max(1, busiest["database_connections"])
        lines.append(
            f"| multiplexing at 200 clients (client / database connections) | {busiest['client_connections']} / "
            f"{busiest['database_connections']} | - | {ratio:.1f} | >= 5 |"
        )
        lines.append(f"| failed client connections through the proxy at 200 clients | {failed} | - | - | 0 |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
