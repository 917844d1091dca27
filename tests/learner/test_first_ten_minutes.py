"""The learner's own path: `pocketcloud up` with default settings from any folder, then work against it."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import nbformat
import psutil
import pymysql
import pytest
from botocore.config import Config
from nbclient import NotebookClient

from helpers.text.en import MESSAGES as ENGLISH

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFAULT_PORT = 4566
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

pytestmark = pytest.mark.timeout(900)


def learner_env() -> dict[str, str]:
    """What a learner's shell has: none of the settings that test and workshop runs set, and no AWS account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POCKETCLOUD_", "AWS_", "WORKSHOP_"))}
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return env


def pocketcloud_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pocketcloud"), *args], cwd=cwd, env=learner_env(), capture_output=True, text=True, timeout=120
    )


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def default_port_free() -> None:
    if port_in_use(DEFAULT_PORT):
        pytest.fail(f"127.0.0.1:{DEFAULT_PORT} is in use (your own 'make lab'?); stop it with 'pocketcloud down'")


class Up:
    """A `pocketcloud up` a learner ran in ``folder``, with the processes it started."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        started = pocketcloud_cli("up", cwd=folder)
        assert started.returncode == 0, started.stderr + started.stdout
        found = re.search(r"http://127\.0\.0\.1:(\d+)", started.stdout)
        assert found, started.stdout
        self.endpoint = found.group(0)
        self.ready = json.loads((folder / ".pocketcloud" / "ready.json").read_text())

    def client(self, service: str) -> object:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}),
        )

    def processes(self) -> list[psutil.Process]:
        """The server and everything below it (execution environments, DB servers)."""
        server = psutil.Process(self.ready["pid"])
        return [server, *server.children(recursive=True)]

    def down(self, cwd: Path) -> None:
        before = self.processes()
        stopped = pocketcloud_cli("down", cwd=cwd)
        assert stopped.returncode == 0 and "pocketcloud stopped" in stopped.stdout, stopped.stdout + stopped.stderr
        survivors = [p for p in before if _alive(p)]
        assert not survivors, f"'pocketcloud down' left processes behind: {survivors}"
        assert not port_in_use(DEFAULT_PORT), "nothing listens on the edge port after 'pocketcloud down'"


def _alive(process: psutil.Process) -> bool:
    deadline = time.monotonic() + 10  # children die by their parent-death signal, a moment after the server
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def up_in(default_port_free: None) -> Iterator[list[Up]]:
    started: list[Up] = []
    yield started
    for cloud in started:  # a failed test still leaves nothing running
        pocketcloud_cli("down", cwd=cloud.folder)


def test_pocketcloud_up_from_a_fresh_folder_runs_functions_and_databases(tmp_path: Path, up_in: list[Up]) -> None:
    learner_folder = tmp_path / "my-project"
    learner_folder.mkdir()
    cloud = Up(learner_folder)
    up_in.append(cloud)
    assert cloud.endpoint == f"http://127.0.0.1:{DEFAULT_PORT}"
    assert cloud.ready["state_dir"] == str(learner_folder.resolve() / ".pocketcloud")

    elsewhere = tmp_path / "another-folder"
    elsewhere.mkdir()
    status = pocketcloud_cli("status", cwd=elsewhere)
    assert status.returncode == 0 and json.loads(status.stdout)["pid"] == cloud.ready["pid"], (
        "from another folder, the CLI finds the running pocketcloud on its port"
    )

    role = cloud.client("iam").create_role(RoleName="first-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr(
            "app.py", "import boto3\n\ndef handler(event, context):\n    return {'sum': event['a'] + event['b']}\n"
        )
    lam = cloud.client("lambda")
    # As on AWS, a role is not usable by Lambda the moment IAM creates it: a learner's script retries.
    deadline = time.monotonic() + 30
    while True:
        try:
            lam.create_function(
                FunctionName="first-function",
                Runtime="python3.12",
                Role=role["Role"]["Arn"],
                Handler="app.handler",
                Code={"ZipFile": code.getvalue()},
            )
            break
        except lam.exceptions.InvalidParameterValueException as refused:
            assert "cannot be assumed" in str(refused) and time.monotonic() < deadline, refused
            time.sleep(0.5)
    lam.get_waiter("function_active_v2").wait(FunctionName="first-function", WaiterConfig={"Delay": 1})
    answer = lam.invoke(FunctionName="first-function", Payload=json.dumps({"a": 2, "b": 3}))
    assert "FunctionError" not in answer, answer["Payload"].read()
    assert json.loads(answer["Payload"].read()) == {"sum": 5}

    rds = cloud.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="first-db",
        Engine="mysql",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="Learner-Pass-123",
        AllocatedStorage=20,
    )
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier="first-db", WaiterConfig={"Delay": 1})
    endpoint = rds.describe_db_instances(DBInstanceIdentifier="first-db")["DBInstances"][0]["Endpoint"]
    with (
        pymysql.connect(
            host=endpoint["Address"],
            port=endpoint["Port"],
            user="admin",
            password="Learner-Pass-123",
            connect_timeout=5,
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT 6 * 7")
        assert cursor.fetchone() == (42,)
    assert any(p.name().startswith(("mariadbd", "mysqld")) for p in cloud.processes()), "RDS runs a real server"

    cloud.down(cwd=elsewhere)
    up_in.clear()


def test_notebook_01_in_a_kernel_attached_to_pocketcloud_up_at_the_repository_root(up_in: list[Up]) -> None:
    cloud = Up(REPO_ROOT)
    up_in.append(cloud)
    assert cloud.ready["state_dir"] == str(REPO_ROOT / ".pocketcloud")

    # As JupyterLab after `make lab`: the kernel runs in the notebook's folder with the learner's environment.
    notebook = nbformat.read(REPO_ROOT / "notebooks" / "01_first_lambda.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO_ROOT / "notebooks")}},
    )
    client.execute(env=learner_env())
    out = REPO_ROOT / "build" / "learner"
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out / "01_first_lambda.ipynb")

    printed = "".join(
        output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert f"pocketcloud at {cloud.endpoint}" in printed, "the kernel attached to the pocketcloud 'up' started"
    assert "Starting pocketcloud" not in printed, "the kernel did not start a second pocketcloud"
    assert json.loads((REPO_ROOT / ".pocketcloud" / "ready.json").read_text())["pid"] == cloud.ready["pid"]
    # A failed checkpoint raises, and nbclient stops at it; these are the ones the notebook always reaches.
    # (Their English text from the catalog, the helpers' own words; the count in the last one varies.)
    checkpoints = [re.escape(ENGLISH["m1.code_matches"]), re.escape(ENGLISH["m1.handled_event"])]
    checkpoints.append(re.escape(ENGLISH["m1.cleaned"]).replace(r"\{count\}", r"\d+"))
    for checkpoint in checkpoints:
        assert re.search(rf"✔ {checkpoint}", printed), f"checkpoint not passed: {checkpoint}"
    cloud.down(cwd=REPO_ROOT)
    up_in.clear()
