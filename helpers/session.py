"""The workshop session: which target (pocketcloud or AWS), boto3 clients, names, tags, checkpoints.

The target is chosen explicitly: ``WORKSHOP_TARGET=aws`` or ``connect("aws")`` for an AWS account, anything
else is the local target (pocketcloud). AWS credentials alone never select AWS: a laptop with a default
profile must not create priced resources in a real account by accident. On AWS the banner names the account
and region, and that what is created there costs money, before any resource exists.

What still differs between the targets, and why (nothing else may):

- **endpoint**: local clients talk to pocketcloud on 127.0.0.1 (started when needed, followed when it
  restarts); AWS clients use boto3's own endpoints and credentials.
- **sizes and durations** (``Workshop.default``): a laptop runs small bursts and waits seconds; on AWS the
  same steps are larger and the usual waits are minutes (RDS, RDS Proxy, provisioned concurrency).
- **retries**: control-plane clients retry 3 times locally, 8 times on AWS, whose control plane throttles
  bursts of management calls; measured clients (``client(..., retries=False)``) never retry on either.
- **mailbox** (``Workshop.mailbox``): pocketcloud's inbox can be read, so a helper can follow a confirmation
  link as the learner would and see the mail arrive; on AWS the mail is in the learner's own inbox and the
  helpers see only what SNS reports (the subscription's state, its delivery metrics).
- Outside this module, and listed for their owners: ``aws.api.api_url`` (pocketcloud serves a stage under
  its path-style ``/restapis/{id}/{stage}/_user_request_/``; no ``execute-api`` host name resolves to
  127.0.0.1), ``aws.iam.wait_for_iam`` (pocketcloud says how long IAM still propagates; AWS does not, 10 s is
  the usual wait) and ``aws.layers.build_layer`` (pocketcloud runs functions on this machine's Python, so the
  installed packages make the layer offline; AWS needs wheels for Lambda's Linux from PyPI).

Example::

    ws = connect()                     # prints the banner once
    ws.client("lambda").list_functions()
    ws.client("lambda", retries=False).invoke(FunctionName=name)   # a measured call: sees its 429s
    ws.check(status == 200, "m2.api_answers")       # a message key (helpers/text) and its values

The language (``connect(language=...)``, ``WORKSHOP_LANGUAGE``, the notebook's folder: helpers/text/language.py)
decides what every helper prints and draws; it is no target difference.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from .text import detect_language, language, say, set_language

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[1]
PREFIX = "sas-"
TAGS = {"workshop": "serverless-at-scale"}
LOCAL, AWS = "local", "aws"


def detect_target(environ: Mapping[str, str] | None = None) -> str:
    """``aws`` only when ``WORKSHOP_TARGET=aws``; otherwise ``local``, whatever credentials boto3 would find.

    >>> detect_target({"AWS_PROFILE": "default", "AWS_ACCESS_KEY_ID": "AKIA..."})
    'local'
    >>> detect_target({"WORKSHOP_TARGET": "aws"})
    'aws'
    """
    environ = os.environ if environ is None else environ
    return _valid_target(environ.get("WORKSHOP_TARGET", "").strip().lower() or LOCAL)


def _valid_target(target: str) -> str:
    if target not in (LOCAL, AWS):
        raise ValueError(say("session.bad_target", target=repr(target)))
    return target


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
    language: str = dataclasses.field(default_factory=language)  # what connect() chose (helpers/text)
    _clients: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    # The pocketcloud this session talks to (local target): a pocketcloud.Cloud.
    cloud: Any = dataclasses.field(default=None, repr=False)

    @property
    def local(self) -> bool:
        return self.target == LOCAL

    def client(self, service: str, *, retries: bool = True) -> Any:
        """A cached boto3 client for ``service`` on this target.

        Control-plane calls keep boto3's standard retries (throttling, 5xx, connection errors). A
        *measured* call takes ``retries=False``: one attempt, so a throttled Lambda invoke (429
        TooManyRequestsException) reaches the caller instead of being retried away behind a longer latency.
        """
        if self.local:
            self._follow_pocketcloud()
        key = service if retries else f"{service} (no retries)"
        if key not in self._clients:
            import boto3
            from botocore.config import Config

            policy = {"max_attempts": self.default(local=3, aws=8)} if retries else {"total_max_attempts": 1}
            config = Config(retries={**policy, "mode": "standard"})
            self._clients[key] = boto3.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=config
            )
        return self._clients[key]

    def mailbox(self) -> list[dict[str, Any]] | None:
        """The emails SNS delivered, when this target's inbox can be read (pocketcloud's); None on AWS, where
        they are in the learner's own inbox."""
        if not self.local:
            return None
        emails: list[dict[str, Any]] = self.pocketcloud().mailbox()
        return emails

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
        print(say("session.pocketcloud_restarted", endpoint=self.cloud.endpoint_url))
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

    def tags_text(self) -> str:
        """The tags as text, for what AWS cannot tag but describes (a Lambda layer version's description).

        >>> Workshop("local", "us-east-1", "1").tags_text()
        'workshop=serverless-at-scale'
        """
        return " ".join(f"{k}={v}" for k, v in self.tags.items())

    def default(self, *, local: T, aws: T) -> T:
        """The default that fits this target: small on a laptop, larger on AWS.

        >>> Workshop("aws", "eu-west-1", "123456789012").default(local=10, aws=600)
        600
        """
        return local if self.local else aws

    def check(self, condition: Any, message: str, /, **values: Any) -> None:
        """A checkpoint: prints a tick, or stops the notebook with the message explaining what is wrong.
        ``message`` is a key of the message catalogs (helpers/text) filled with ``values``; a plain sentence
        is shown as it is.

        >>> Workshop("local", "us-east-1", "1").check(True, "session.where_local", endpoint="here")
        ✔ pocketcloud at here
        """
        text = say(message, **values)
        if not condition:
            raise CheckpointFailed(say("session.checkpoint_failed", message=text))
        print(say("session.checkpoint_passed", message=text))

    def say(self, key: str, /, **values: Any) -> str:
        """The message ``key`` of the catalogs in this session's language (for a cell's printed sentence)."""
        return say(key, **values)

    def banner(self) -> str:
        """The target, and the account and region everything is created in; on AWS, that it costs money.

        >>> print(Workshop("aws", "eu-west-1", "123456789012").banner())  # doctest: +ELLIPSIS
        Target: aws (a real AWS account) | account 123456789012 | region eu-west-1
        Resources created here cost money in account 123456789012 ...
        """
        where = say("session.where_local", endpoint=self.endpoint_url) if self.local else say("session.where_aws")
        line = say("session.banner", target=self.target, where=where, account=self.account, region=self.region)
        if self.local:
            return line
        return f"{line}\n{say('session.costs_money', account=self.account)}"


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
        print(say("session.starting_pocketcloud", state_dir=settings.state_dir))
        cloud = pocketcloud.start(settings)
    for key, value in cloud.env().items():
        os.environ[key] = value
    return cloud


def connect(target: str | None = None, *, quiet: bool = False, language: str | None = None) -> Workshop:
    """The workshop session for ``target`` (``"local"`` or ``"aws"``; default: :func:`detect_target`), printing
    the banner. ``quiet`` silences the local banner only: on AWS the account and region are always shown
    before anything priced is created. ``language`` (``"en"`` or ``"ko"``; default: :func:`detect_language`,
    the notebook's folder) is what every helper prints and draws from now on."""
    target = _valid_target(target.strip().lower()) if target else detect_target()
    chosen = set_language(detect_language(language))
    _configure_display()
    if target == LOCAL:
        cloud = _start_local()
        ws = Workshop(LOCAL, cloud.region, cloud.settings.account_id, cloud.endpoint_url, language=chosen, cloud=cloud)
    else:
        import boto3

        session = boto3.Session()
        region = session.region_name or "us-east-1"
        account = session.client("sts", region_name=region).get_caller_identity()["Account"]
        ws = Workshop(AWS, region, account, None, language=chosen)
    if not quiet or not ws.local:
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
