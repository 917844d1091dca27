"""``pocketcloud up | down | status | logs | serve``."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from . import client
from .settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pocketcloud", description="An AWS on 127.0.0.1.")
    parser.add_argument("--state-dir", help="where pid, log and data live (default .pocketcloud)")
    parser.add_argument("--port", type=int, help="edge port (default 4566)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start in the background and wait until ready")
    sub.add_parser("down", help="stop pocketcloud and everything it started")
    sub.add_parser("status", help="services, ports and running environments")
    logs = sub.add_parser("logs", help="print the server log")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=50)
    sub.add_parser("serve", help="run in the foreground (what 'up' starts)")
    run = sub.add_parser("run", help="run a command against a private pocketcloud, then stop it")
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    settings = Settings.from_env(state_dir=args.state_dir, port=args.port)

    if args.command == "serve":
        from .server import serve

        serve(settings)
        return 0
    if args.command == "up":
        try:
            cloud = client.start(settings)
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"pocketcloud is up at {cloud.endpoint_url} (pid {cloud.pid}); stop it with 'pocketcloud down'")
        print(f"export AWS_ENDPOINT_URL={cloud.endpoint_url}")
        return 0
    if args.command == "down":
        stopped = client.stop(settings)
        print("pocketcloud stopped" if stopped else "pocketcloud was not running")
        return 0
    if args.command == "status":
        attached = client.attach(settings)
        if attached is None:
            print("pocketcloud is not running")
            return 3
        print(json.dumps(attached.status(), indent=2))
        return 0
    if args.command == "logs":
        return _logs(settings, args.lines, args.follow)
    if args.command == "run":
        cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        return _run(settings, cmd)
    return 2


def _run(settings: Settings, cmd: list[str]) -> int:
    """Run ``cmd`` with POCKETCLOUD_STATE_DIR and AWS_ENDPOINT_URL set, against the pocketcloud ``settings``
    point at; one is started for the command and stopped after, unless it was already running (that one
    is someone else's and keeps running). Returns the command's exit code."""
    if not cmd:
        print("usage: pocketcloud run -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    existing = client.attach(settings)
    try:
        cloud = existing or client.start(settings)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    env = {**os.environ, **cloud.env(), "POCKETCLOUD_STATE_DIR": str(cloud.settings.state_dir.resolve())}
    print(f"pocketcloud is up at {cloud.endpoint_url}; running: {' '.join(cmd)}", flush=True)
    try:
        return subprocess.call(cmd, env=env)
    finally:
        if existing is None:
            client.stop(settings)


def _logs(settings: Settings, lines: int, follow: bool) -> int:
    if not settings.log_file.exists():
        print("no log yet", file=sys.stderr)
        return 1
    with open(settings.log_file, errors="replace") as handle:
        past = handle.readlines()  # read to the end either way: a follower starts from there
        for line in past[-lines:] if lines > 0 else []:  # (past[-0:] would be every line)
            sys.stdout.write(line)
        sys.stdout.flush()
        while follow:
            line = handle.readline()
            if line:
                sys.stdout.write(line)
                sys.stdout.flush()
            else:
                time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
