"""The ``pocketcloud`` command as a user runs it: real subprocesses against private clouds on free ports."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import psutil

from ..waiting import wait_until


def _env(state_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "POCKETCLOUD_STATE_DIR": str(state_dir),
        "POCKETCLOUD_PORT": "0",
        "POCKETCLOUD_XRAY_PORT": "0",
    }


def _cli(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pocketcloud", *args], env=_env(state_dir), capture_output=True, text=True, timeout=180
    )


def _server_pid(state_dir: Path) -> int:
    return int(json.loads((state_dir / "ready.json").read_text())["pid"])


# A command that reports which server it was given: the pid in the ready file of its POCKETCLOUD_STATE_DIR,
# and whether that server answers on its AWS_ENDPOINT_URL.
REPORT_SERVER = (
    "import json, os, pathlib, urllib.request\n"
    "ready = json.loads((pathlib.Path(os.environ['POCKETCLOUD_STATE_DIR']) / 'ready.json').read_text())\n"
    "health = urllib.request.urlopen(os.environ['AWS_ENDPOINT_URL'] + '/_pocketcloud/health', timeout=10)\n"
    "print('server', ready['pid'], json.loads(health.read())['status'])\n"
)


def test_up_status_down_leaves_no_process(tmp_path: Path) -> None:
    up = _cli(tmp_path, "up")
    assert up.returncode == 0, up.stderr
    ready = json.loads((tmp_path / "ready.json").read_text())
    server = psutil.Process(ready["pid"])
    assert server.is_running()

    status = _cli(tmp_path, "status")
    assert status.returncode == 0
    assert json.loads(status.stdout)["endpoint_url"] == ready["endpoint_url"]

    again = _cli(tmp_path, "up")  # idempotent: reuses the running server
    assert again.returncode == 0
    assert json.loads((tmp_path / "ready.json").read_text())["pid"] == ready["pid"]

    family = [server, *server.children(recursive=True)]
    down = _cli(tmp_path, "down")
    assert down.returncode == 0
    assert "stopped" in down.stdout
    _gone, alive = psutil.wait_procs(family, timeout=30)
    assert alive == []
    assert _cli(tmp_path, "status").returncode == 3
    assert "not running" in _cli(tmp_path, "down").stdout


def test_logs_shows_the_server_log(tmp_path: Path) -> None:
    assert _cli(tmp_path, "up").returncode == 0
    try:
        logs = _cli(tmp_path, "logs", "-n", "20")
        assert logs.returncode == 0, logs.stderr
        assert "pocketcloud ready" in logs.stdout
        assert _cli(tmp_path, "logs", "-n", "0").stdout == "", "-n 0 prints no past line"
    finally:
        _cli(tmp_path, "down")


def test_logs_follow_prints_lines_written_after_it_started(tmp_path: Path) -> None:
    assert _cli(tmp_path, "up").returncode == 0
    follower = subprocess.Popen(
        [sys.executable, "-m", "pocketcloud", "logs", "-f", "-n", "1"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in follower.stdout or []], daemon=True).start()
    try:
        wait_until(lambda: not lines.empty(), 60, "logs -f to print the log's last line")
        lines.get()  # it has read the log to its end and now follows it
        # A restart appends a new "pocketcloud ready on <endpoint>" line, written by the new server.
        assert _cli(tmp_path, "down").returncode == 0
        assert _cli(tmp_path, "up").returncode == 0
        restarted = json.loads((tmp_path / "ready.json").read_text())
        seen: list[str] = []

        def new_ready_line() -> bool:
            while not lines.empty():
                seen.append(lines.get())
            return any(f"pocketcloud ready on {restarted['endpoint_url']}" in line for line in seen)

        wait_until(new_ready_line, 60, "logs -f to print the new server's ready line", seen=lambda: seen)
        assert follower.poll() is None, "logs -f keeps following until it is stopped"
    finally:
        follower.kill()
        follower.wait(timeout=30)
        _cli(tmp_path, "down")


def test_run_passes_the_commands_exit_code_back(tmp_path: Path) -> None:
    ok = _cli(tmp_path, "run", "--", sys.executable, "-c", "import sys; sys.exit(0)")
    assert ok.returncode == 0, ok.stderr
    failed = _cli(tmp_path, "run", "--", sys.executable, "-c", "import sys; sys.exit(7)")
    assert failed.returncode == 7, failed.stderr
    missing = _cli(tmp_path, "run")
    assert missing.returncode == 2 and "usage" in missing.stderr


def test_run_starts_a_cloud_for_the_command_and_stops_it_after(tmp_path: Path) -> None:
    script = "import boto3; print(boto3.client('s3').list_buckets()['ResponseMetadata']['HTTPStatusCode'])"
    result = _cli(tmp_path, "run", "--", sys.executable, "-c", REPORT_SERVER + script)
    assert result.returncode == 0, result.stderr
    reported = next(line for line in result.stdout.splitlines() if line.startswith("server "))
    _, pid, health = reported.split()
    assert health == "ok"
    assert result.stdout.strip().endswith("200")
    wait_until(lambda: not psutil.pid_exists(int(pid)), 30, f"the server run started (pid {pid}) to end")
    assert not (tmp_path / "ready.json").exists()


def test_run_leaves_a_cloud_it_did_not_start_running(tmp_path: Path) -> None:
    assert _cli(tmp_path, "up").returncode == 0
    try:
        running = _server_pid(tmp_path)
        result = _cli(tmp_path, "run", "--", sys.executable, "-c", REPORT_SERVER)
        assert result.returncode == 0, result.stderr
        assert f"server {running} ok" in result.stdout, "the command ran against the cloud already up"
        status = _cli(tmp_path, "status")
        assert status.returncode == 0, "the cloud someone else started still answers"
        assert json.loads(status.stdout)["pid"] == running
    finally:
        _cli(tmp_path, "down")
