"""pocketcloud settings, read from ``POCKETCLOUD_*`` environment variables.

Every default is sized for a 2-core, 24 GiB machine. Example::

    POCKETCLOUD_PORT=4567 POCKETCLOUD_LAMBDA_CONCURRENCY_LIMIT=20 python -m pocketcloud up
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from pathlib import Path
from typing import Any

PREFIX = "POCKETCLOUD_"
# A new AWS account's Lambda quota: 10 concurrent executions, all of them the unreserved minimum
# ("Lambda quotas": new accounts have reduced concurrency quotas, raised automatically with use).
NEW_ACCOUNT_CONCURRENCY = 10
ACCOUNT_PROFILES = ("default", "new")


@dataclasses.dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    state_dir: Path = Path(".pocketcloud")
    region: str = "us-east-1"
    account_id: str = "123456789012"
    # Threads that run moto's (synchronous) control plane; data planes never use them.
    moto_threads: int = 8
    # X-Ray daemon (UDP). 0 picks a free port.
    xray_port: int = 2000
    xray_sample_all: bool = False
    # Lambda
    lambda_concurrency_limit: int = 50
    # Unreserved concurrency that reserved and provisioned concurrency must leave to the rest of the account
    # (AWS: 100 of the usual 1,000); -1 = a tenth of lambda_concurrency_limit, rounded up.
    lambda_unreserved_minimum: int = -1
    # "default", or "new": a new AWS account's Lambda quota (10 concurrent executions, all 10 of them the
    # unreserved minimum), where every reserved or provisioned concurrency request fails.
    account_profile: str = "default"
    # Function states: CreateFunction answers State Pending, Active this long after (AWS: seconds; a VPC
    # function's network interfaces take longer, up to minutes); invoking or changing it meanwhile is refused.
    lambda_pending_seconds: float = 0.5
    lambda_vpc_pending_seconds: float = 2.0
    # UpdateFunctionCode / UpdateFunctionConfiguration: LastUpdateStatus InProgress this long (a change of
    # VpcConfig: lambda_vpc_pending_seconds); invocations meanwhile run the previous code and configuration.
    lambda_update_seconds: float = 0.5
    lambda_idle_seconds: float = 300.0
    # A VPC function's network interface outlives the last function (or version) using its subnet and security
    # groups this long; until then DeleteSubnet / DeleteSecurityGroup answer DependencyViolation (AWS: ~20 minutes).
    lambda_eni_release_seconds: float = 3.0
    lambda_max_payload_bytes: int = 6 * 1024 * 1024
    # First retry delay of a failed asynchronous invocation, doubled for the second (AWS: about 1 and 2 minutes).
    lambda_async_retry_delay: float = 1.0
    # Niceness added to execution environments, so that the server, which every invocation passes
    # through three times, goes first when functions and the server want the same cores (on AWS the
    # Lambda service does not share a sandbox's CPU). 0 = same priority as the server.
    lambda_nice: int = 10
    # Execution environments under SCHED_BATCH: a woken environment waits for the running process's
    # slice instead of preempting it, so the server is not cut off mid-request when it wakes one.
    lambda_batch: bool = True
    # Concurrency scaling rate: new execution environments each function may add per 10 seconds, refilled
    # continuously, at most this many at once (AWS: 1,000 per 10 s, "Lambda scaling behavior"); beyond it,
    # 429 TooManyRequestsException. Scaled down so a laptop shows the ramp: a burst of 15 calls/s wants more new
    # environments than this before its first cold start ends (about a second here). 0 = no limit.
    lambda_scaling_rate: int = 10
    # RDS
    db_server: str = ""  # path to mariadbd/mysqld; empty = search PATH
    # Below the Lambda concurrency limit, so that "more invocations than DB connections" shows on a laptop.
    db_max_connections_cap: int = 30
    # A new DB instance is `creating` at least this long (its server's start counts), then `backing-up` (the
    # first automated backup, when BackupRetentionPeriod > 0) this long, then `available` (AWS: minutes).
    db_instance_create_seconds: float = 2.0
    db_instance_backup_seconds: float = 1.0
    # A new RDS Proxy is `creating`, its endpoint refusing clients, this long before `available` (AWS: minutes).
    db_proxy_create_seconds: float = 3.0
    # A deleted DB instance / RDS Proxy is described as `deleting` this long (its server or listener stops at
    # once), refusing changes, and holds its DB subnet group meanwhile (AWS: minutes). 0 = gone at once.
    db_instance_delete_seconds: float = 2.0
    db_proxy_delete_seconds: float = 2.0
    # An interface VPC endpoint is `pending` this long before `available` (AWS: a minute or two).
    vpc_endpoint_pending_seconds: float = 2.0
    # CloudWatch: a metric value shows in GetMetricData / GetMetricStatistics this long after it was recorded,
    # aggregated per minute (AWS: Lambda sends its metrics at 1-minute intervals; they show a minute or more later).
    metrics_delay_seconds: float = 3.0
    # How long `up` waits for the server to become ready.
    start_timeout: float = 60.0
    # pocketcloud says no where AWS says no: security groups and VPC egress decide what a function
    # reaches, its execution role what its AWS calls may do. Off = a permissive emulator (every
    # connection admitted, every call allowed); lifecycle states and delays stay as they are.
    enforce_rules: bool = True
    # IAM is eventually consistent: other services see a role or policy change this many seconds after IAM made it.
    iam_propagation_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not ipaddress.ip_address(self.host).is_loopback:
            raise ValueError(f"pocketcloud binds to loopback only; {self.host!r} is not a loopback address")
        # Resolved here, once: the server, its execution environments (whose working directory is their
        # code folder) and mariadb-install-db must not depend on the folder pocketcloud was started from.
        object.__setattr__(self, "state_dir", absolute_path(self.state_dir))
        if os.sep in self.db_server or self.db_server.startswith("~"):
            object.__setattr__(self, "db_server", str(absolute_path(self.db_server)))
        if self.account_profile not in ACCOUNT_PROFILES:
            choices = ", ".join(ACCOUNT_PROFILES)
            raise ValueError(f"account_profile must be one of {choices}, not {self.account_profile!r}")

    @property
    def lambda_quota(self) -> int:
        """The account's concurrent executions quota (a new account's is 10, whatever the setting).

        >>> Settings(account_profile="new").lambda_quota
        10
        """
        return NEW_ACCOUNT_CONCURRENCY if self.account_profile == "new" else self.lambda_concurrency_limit

    @property
    def lambda_min_unreserved(self) -> int:
        """Unreserved concurrency the account keeps whatever is reserved or provisioned (AWS: 100 of 1,000).

        >>> Settings(lambda_concurrency_limit=50).lambda_min_unreserved
        5
        >>> Settings(account_profile="new").lambda_min_unreserved
        10
        """
        if self.account_profile == "new":
            return NEW_ACCOUNT_CONCURRENCY
        if self.lambda_unreserved_minimum >= 0:
            return self.lambda_unreserved_minimum
        return -(-self.lambda_concurrency_limit // 10)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "pocketcloud.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "pocketcloud.log"

    @property
    def ready_file(self) -> Path:
        """Written by the server once every listener is up: JSON with the bound ports."""
        return self.state_dir / "ready.json"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``POCKETCLOUD_<FIELD>`` variables, then apply ``overrides``."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(PREFIX + field.name.upper())
            if raw is not None:
                values[field.name] = _parse(field.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment variables that reproduce these settings in a child process."""
        env = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            env[PREFIX + field.name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
        return env


def absolute_path(path: str | Path) -> Path:
    """``path`` with ``~`` expanded, made absolute against the current folder, symlinks resolved.

    >>> absolute_path("/tmp/../tmp/state") == Path("/tmp/state").resolve()
    True
    """
    return Path(path).expanduser().resolve()


def _parse(type_name: Any, raw: str) -> Any:
    type_name = str(type_name)
    if type_name == "int":
        return int(raw)
    if type_name == "float":
        return float(raw)
    if type_name == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if type_name == "Path":
        return Path(raw)
    return raw
