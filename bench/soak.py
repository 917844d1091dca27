"""Soak: minutes of Locust load through API Gateway -> Lambda -> RDS Proxy -> MariaDB on pocketcloud.

Run: ``.venv/bin/python bench/soak.py [--minutes 5] [--users 20]``. Prints requests, unexpected
failures (target 0), pocketcloud's RSS at start and end (growth under 10 %), processes left after
``down`` (0) and database connections still lent out after the load (0). Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

import pocketcloud


def _family_rss(pid: int) -> float:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 5)))
    parser.add_argument("--users", type=int, default=int(os.environ.get("SOAK_USERS", 20)))
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="soak-"))
    settings = pocketcloud.Settings.from_env(state_dir=state, port=0, xray_port=0)
    cloud = pocketcloud.start(settings)
    os.environ.update(cloud.env(), POCKETCLOUD_STATE_DIR=str(state), WORKSHOP_TARGET="local")
    try:
        from helpers import connect
        from helpers.measure.loadtest import run_load_test
        from helpers.modules import m3_secrets_and_proxy as m3

        ws = connect()
        db = m3.ensure(ws)
        warm = run_load_test(db.api_url, users=args.users, spawn_rate=args.users, duration=20, progress=False)
        server = psutil.Process(cloud.pid)
        rss_start, own_start = _family_rss(cloud.pid), server.memory_info().rss / 2**20
        result = run_load_test(
            db.api_url, users=args.users, spawn_rate=args.users, duration=args.minutes * 60, progress=False
        )
        time.sleep(2)
        own_end = server.memory_info().rss / 2**20
        rss_end = _family_rss(cloud.pid)
        proxy = cloud.status()["services"]["rds"]["proxies"][db.proxy_name]
        family = [server, *server.children(recursive=True)]
    finally:
        pocketcloud.stop(settings)
    _, alive = psutil.wait_procs(family, timeout=15)
    growth = (own_end - own_start) / own_start * 100
    rows = [
        ("minutes of load", f"{args.minutes:g} ({args.users} users)", ""),
        ("requests", f"{result.request_count:,}", ""),
        ("unexpected failures", f"{result.failure_count:,} (warm-up: {warm.failure_count})", "0"),
        ("pocketcloud server RSS start -> end", f"{own_start:.0f} MB -> {own_end:.0f} MB ({growth:+.1f} %)", "< +10 %"),
        ("with its children (environments, DB servers)", f"{rss_start:.0f} MB -> {rss_end:.0f} MB", "(informative)"),
        ("database connections lent after the load", str(proxy["lent_connections"]), "0"),
        ("processes left after down", str(len(alive)), "0"),
    ]
    print("| measure | value | target |\n|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")


if __name__ == "__main__":
    main()
