"""The workshop session: which target (pocketcloud or AWS), boto3 clients, names, tags, checkpoints.

Every difference between the two targets lives in this module.

Example::

    ws = connect()                     # prints the banner once
    ws.client("lambda").list_functions()
    ws.check(status == 200, "the API answers")
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[1]
PREFIX = "sas-"
TAGS = {"workshop": "serverless-at-scale"}
LOCAL, AWS = "local", "aws"


def detect_target(environ: Mapping[str, str] | None = None, has_credentials: bool | None = None) -> str:
    """``WORKSHOP_TARGET`` if set, else ``aws`` when boto3 finds credentials, else ``local``.

    >>> detect_target({"WORKSHOP_TARGET": "local"}, has_credentials=True)
    'local'
    """
    environ = os.environ if environ is None else environ
    chosen = environ.get("WORKSHOP_TARGET", "").strip().lower()
    if chosen:
        if chosen not in (LOCAL, AWS):
            raise ValueError(f"WORKSHOP_TARGET must be 'local' or 'aws', not {chosen!r}")
        return chosen
    if environ.get("AWS_ENDPOINT_URL") or environ.get("POCKETCLOUD_STATE_DIR"):
        return LOCAL
    if has_credentials is None:
        import boto3

        has_credentials = boto3.Session().get_credentials() is not None
    return AWS if has_credentials else LOCAL


class CheckpointFailed(AssertionError):
    """A checkpoint's condition was false: the notebook stops with the checkpoint's message."""


@dataclasses.dataclass
class Workshop:
    """One learner's session; ``connect()`` makes it."""

    target: str
    region: str
    account: str
    endpoint_url: str | None = None
    prefix: str = PREFIX
    tags: dict[str, str] = dataclasses.field(default_factory=lambda: dict(TAGS))
    _clients: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    # The pocketcloud this session talks to (local target): a pocketcloud.Cloud.
    cloud: Any = dataclasses.field(default=None, repr=False)

    @property
    def local(self) -> bool:
        return self.target == LOCAL

    def client(self, service: str) -> Any:
        """A cached boto3 client for ``service`` on this target."""
        if self.local:
            self._follow_pocketcloud()
        if service not in self._clients:
            import boto3
            from botocore.config import Config

            config = Config(retries={"max_attempts": 3 if self.local else 8, "mode": "standard"})
            self._clients[service] = boto3.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=config
            )
        return self._clients[service]

    def pocketcloud(self) -> Any:
        """The running pocketcloud of the local target (a ``pocketcloud.Cloud``), started again if it stopped."""
        self._follow_pocketcloud()
        return self.cloud

    def _follow_pocketcloud(self) -> None:
        """If pocketcloud stopped or restarted since ``connect()``, start it again if needed, point the
        clients at it and say so: what was created before the restart is gone."""
        from pocketcloud.client import pid_alive, read_ready

        ready = read_ready(self.cloud.settings) if self.cloud is not None else None
        if ready and ready.get("pid") == self.cloud.pid and pid_alive(ready["pid"]):
            return
        self.cloud = _start_local()
        print(
            "pocketcloud restarted (now at "
            f"{self.cloud.endpoint_url}): resources created before are gone. "
            "Re-run this module's setup cells to recreate them."
        )
        self.endpoint_url = self.cloud.endpoint_url
        self._clients.clear()

    def name(self, *parts: str) -> str:
        """A workshop resource name: the prefix plus ``parts`` joined with dashes.

        >>> Workshop("local", "us-east-1", "123456789012").name("db", "time")
        'sas-db-time'
        """
        return self.prefix + "-".join(p.strip("-") for p in parts if p)

    def tag_list(self, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
        """The tags as ``[{"Key": ..., "Value": ...}]`` (some APIs want other key names)."""
        return [{key: k, value: v} for k, v in self.tags.items()]

    def default(self, *, local: T, aws: T) -> T:
        """The default that fits this target: small on a laptop, larger on AWS.

        >>> Workshop("aws", "eu-west-1", "123456789012").default(local=10, aws=600)
        600
        """
        return local if self.local else aws

    def check(self, condition: Any, message: str) -> None:
        """A checkpoint: prints a tick, or stops the notebook with ``message`` explaining what is wrong."""
        if not condition:
            raise CheckpointFailed(f"Checkpoint failed: {message}")
        print(f"✔ {message}")

    def banner(self) -> str:
        """One line: the target, and the account and region everything is created in."""
        where = f"pocketcloud at {self.endpoint_url}" if self.local else "your AWS account"
        return f"Target: {self.target} ({where}) | account {self.account} | region {self.region}"


def _local_settings() -> Any:
    """pocketcloud's settings for the local target: ``POCKETCLOUD_*`` variables, and the state dir
    ``make lab`` uses (the repository's ``.pocketcloud``) unless one is set."""
    from pocketcloud import Settings

    state_dir = os.environ.get("POCKETCLOUD_STATE_DIR") or str(REPO_ROOT / ".pocketcloud")
    return Settings.from_env(state_dir=state_dir)


def _start_local() -> Any:
    """The running pocketcloud (found by its state dir, or on its port when a learner started it from
    another folder), started if there is none; boto3 in this process is pointed at it."""
    import pocketcloud

    settings = _local_settings()
    cloud = pocketcloud.attach(settings)
    if cloud is None:
        print(f"Starting pocketcloud (state in {settings.state_dir}) ...")
        cloud = pocketcloud.start(settings)
    for key, value in cloud.env().items():
        os.environ[key] = value
    return cloud


def connect(target: str | None = None, *, quiet: bool = False) -> Workshop:
    """The workshop session for ``target`` (default: detected), printing one banner line."""
    target = target or detect_target()
    _configure_display()
    if target == LOCAL:
        cloud = _start_local()
        ws = Workshop(LOCAL, cloud.region, cloud.settings.account_id, cloud.endpoint_url, cloud=cloud)
    else:
        import boto3

        session = boto3.Session()
        region = session.region_name or "us-east-1"
        account = session.client("sts", region_name=region).get_caller_identity()["Account"]
        ws = Workshop(AWS, region, account, None)
    if not quiet:
        print(ws.banner())
    return ws


def _configure_display() -> None:
    """Figures render in JupyterLab and are embedded in exported HTML without any network access; table
    cells show their whole text (pandas cuts a cell at 50 characters, which cut the price descriptions)."""
    try:
        import pandas as pd
        import plotly.io as pio

        pio.renderers.default = "plotly_mimetype+notebook"
        pio.templates.default = "plotly_white"
        pd.set_option("display.max_colwidth", None)
    except ImportError:
        pass
