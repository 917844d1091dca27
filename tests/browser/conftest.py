"""Fixtures for the browser tests: `make lab` started as a learner starts it and stopped after, and Chromium."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build" / "browser"
LAB_DIR = OUT / "lab"
STATE_DIR = REPO / ".pocketcloud"
POCKETCLOUD_PORT = 4566
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# Without the background-networking flags Chromium keeps calling home, which floods a closed network.
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
]  # fmt: skip
WINDOW = (1400, 1000)


def poll(condition: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
    """The first truthy value of ``condition()``, or its last value once ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(interval)
    return result


def wait_for(what: str, condition: Callable[[], Any], timeout: float, detail: Callable[[], str] = str) -> Any:
    result = poll(condition, timeout)
    if not result:
        pytest.fail(f"{what}: not within {timeout:.0f} s. {detail()}")
    return result


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(process: psutil.Process) -> bool:
    # A zombie has exited; it only waits for its parent (here often PID 1) to reap it.
    with contextlib.suppress(psutil.Error):
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    return False


def with_descendants(pid: int) -> list[psutil.Process]:
    with contextlib.suppress(psutil.Error):
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)]
    return []


def learner_env() -> dict[str, str]:
    """A learner's shell: no pocketcloud, AWS, workshop or make settings, and a JupyterLab never opened before."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POCKETCLOUD_", "AWS_", "MAKE", "MFLAGS")) and k != "WORKSHOP_TARGET"
    }
    # A developer's own AWS credentials would send the notebooks to their account instead of pocketcloud.
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    # Default settings and no saved workspace, as on first use; the developer's own stay untouched.
    env["JUPYTERLAB_SETTINGS_DIR"] = str(OUT / "jupyterlab" / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(OUT / "jupyterlab" / "workspaces")
    return env


class Lab:
    """`make lab` started as a learner starts it; ``stop()`` ends it and says what survived."""

    def __init__(self) -> None:
        self.port = free_port()
        self.log_path = OUT / "make-lab.log"
        self.log = self.log_path.open("w")
        lab_args = f"--no-browser --port={self.port} --ServerApp.port_retries=0"
        self.process = subprocess.Popen(
            ["make", "lab", f"LAB_DIR={LAB_DIR}", f"LAB_ARGS={lab_args}"],
            cwd=REPO, env=learner_env(), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_for_url(self) -> None:
        # make's setup prerequisite reinstalls the project first when pyproject.toml is newer than the venv.
        match = wait_for("JupyterLab printing its URL", self._url, 120, lambda: f"make lab printed:\n{self.output()}")
        self.base, self.token = match.group(1), match.group(2)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _url(self) -> re.Match | None:
        if self.process.poll() is not None:
            pytest.fail(f"make lab exited with {self.process.returncode}:\n{self.output()}")
        return re.search(rf"(http://127\.0\.0\.1:{self.port})/lab\?token=(\w+)", self.output())

    def stop(self) -> list[str]:
        """Stop JupyterLab, then pocketcloud as the Makefile says ('pocketcloud down'); what was left running."""
        problems = []
        pid_file = STATE_DIR / "pocketcloud.pid"
        cloud = with_descendants(int(pid_file.read_text())) if pid_file.exists() else []
        lab = with_descendants(self.process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        poll(lambda: not any(alive(p) for p in lab), 60)
        if survivors := [p for p in lab if alive(p)]:
            problems.append(f"still running 60 s after SIGTERM to make lab's group: {survivors}")
            for process in survivors:
                with contextlib.suppress(psutil.Error):
                    process.kill()
        self.process.wait(10)
        self.log.close()
        down = subprocess.run(
            [str(REPO / ".venv" / "bin" / "pocketcloud"), "--state-dir", str(STATE_DIR), "down"],
            cwd=REPO, env=learner_env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if down.returncode != 0:
            problems.append(f"'pocketcloud down' exited with {down.returncode}: {down.stdout}{down.stderr}")
        if leftovers := [p for p in cloud if not poll(lambda p=p: not alive(p), 15)]:
            problems.append(f"pocketcloud processes alive after 'pocketcloud down': {leftovers}")
        if listening(POCKETCLOUD_PORT):
            problems.append(f"something still listens on 127.0.0.1:{POCKETCLOUD_PORT} after 'pocketcloud down'")
        return problems


@pytest.fixture(scope="module")
def lab(lab_notebooks: dict[str, str]) -> Iterator[Lab]:
    """JupyterLab from `make lab` on a folder holding ``lab_notebooks`` (path: content), which the test
    module provides; pocketcloud and everything else it started are stopped afterwards."""
    if listening(POCKETCLOUD_PORT):
        pytest.fail(
            f"127.0.0.1:{POCKETCLOUD_PORT} is already in use, probably your own 'make lab': this test starts its own. "
            "Stop yours with '.venv/bin/pocketcloud down' and run the test again."
        )
    # JupyterLab autosaves outputs into what it opens, so it opens copies under build/, never notebooks/.
    shutil.rmtree(LAB_DIR, ignore_errors=True)
    shutil.rmtree(OUT / "jupyterlab", ignore_errors=True)
    LAB_DIR.mkdir(parents=True)
    for file_name, content in lab_notebooks.items():
        (LAB_DIR / file_name).parent.mkdir(parents=True, exist_ok=True)
        (LAB_DIR / file_name).write_text(content)
    started = Lab()
    try:
        started.wait_for_url()
        yield started
    finally:
        problems = started.stop()
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    if missing := [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]:
        pytest.fail(f"{' and '.join(missing)} not found: 'make browser' installs Chromium and ChromeDriver from apt")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    OUT.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=OUT)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size={},{}".format(*WINDOW)]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
