"""What pocketcloud needs to run a function, read from moto's Lambda backend.

A :class:`FunctionSpec` is a snapshot: its ``fingerprint`` changes whenever code or configuration
changes, which is how warm environments learn they are stale.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

from .errors import LambdaError

# What an environment was started from: equal fingerprints, same code and configuration.
Fingerprint = tuple[object, ...]


@dataclasses.dataclass(frozen=True)
class FunctionSpec:
    name: str
    arn: str  # unqualified
    version: str  # "$LATEST" or "3"
    handler: str
    runtime: str
    memory_mb: int
    timeout_s: float
    environment: dict[str, str]
    tracing_mode: str
    code_sha256: str
    layer_arns: tuple[str, ...]
    reserved_concurrency: int | None
    role: str = ""  # the execution role's ARN; environments run with its credentials

    @functools.cached_property
    def fingerprint(self) -> Fingerprint:
        """Changes whenever code or configuration changes (the hot path compares it on every call)."""
        return (
            self.version, self.handler, self.runtime, self.memory_mb, self.timeout_s,
            tuple(sorted(self.environment.items())), self.tracing_mode, self.code_sha256, self.layer_arns, self.role,
        )  # fmt: skip

    @property
    def version_arn(self) -> str:
        return f"{self.arn}:{self.version}"

    @functools.cached_property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"


@functools.lru_cache(maxsize=1024)  # every invoke splits its function's name or ARN again
def split_name(function: str, qualifier: str | None) -> tuple[str, str | None]:
    """Function name and qualifier from a name, partial ARN or full ARN (qualifier may be inside)."""
    parts = function.split(":")
    if function.startswith("arn:"):
        # arn:aws:lambda:region:account:function:name[:qualifier]
        name = parts[6] if len(parts) > 6 else ""
        inner = parts[7] if len(parts) > 7 else None
    elif len(parts) >= 3 and parts[1] == "function":  # account:function:name[:qualifier]
        name = parts[2]
        inner = parts[3] if len(parts) > 3 else None
    else:
        name = parts[0]
        inner = parts[1] if len(parts) > 1 else None
    return name, qualifier or inner


def load_spec(backend: Any, name: str, qualifier: str | None) -> tuple[FunctionSpec, Any]:
    """The spec of ``name:qualifier`` and moto's function object; LambdaError 404 when missing."""
    try:
        fn = backend.get_function(name, qualifier)
    except Exception as exc:  # moto raises its own UnknownFunctionException
        arn = f"arn:aws:lambda:{backend.region_name}:{backend.account_id}:function:{name}"
        raise LambdaError.not_found(f"{arn}:{qualifier}" if qualifier else arn) from exc
    if fn is None:
        raise LambdaError.not_found(name)
    return spec_of(fn), fn


def spec_of(fn: Any) -> FunctionSpec:
    """The spec of one of moto's function objects (``$LATEST`` or a published version)."""
    return FunctionSpec(
        name=fn.function_name,
        arn=fn.function_arn.split(":function:")[0] + ":function:" + fn.function_name,
        version=str(fn.version),
        handler=fn.handler or "",
        runtime=fn.run_time or "python3.12",
        memory_mb=int(fn.memory_size or 128),
        timeout_s=float(fn.timeout or 3),
        environment=dict(fn.environment_vars or {}),
        tracing_mode=(fn.tracing_config or {}).get("Mode", "PassThrough"),
        code_sha256=fn.code_sha_256,
        layer_arns=tuple(layer["Arn"] for layer in fn.layers),
        reserved_concurrency=fn.reserved_concurrency,
        role=fn.role or "",
    )


class CodeCache:
    """Unpacked deployment packages and layers, by content hash, under the state dir."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def unpack(self, kind: str, sha: str, zip_bytes: bytes) -> Path:
        target = self.root / kind / hashlib.sha256(sha.encode()).hexdigest()[:24]
        if target.exists():
            return target
        staging = target.with_suffix(".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            archive.extractall(staging)
        staging.rename(target)
        return target


def layer_paths(layer_dir: Path) -> list[Path]:
    """Where Lambda puts a layer's Python code on the import path (/opt/python and its site-packages)."""
    paths = [layer_dir / "python"]
    lib = layer_dir / "python" / "lib"
    if lib.is_dir():
        paths += sorted(lib.glob("python3*/site-packages"))
    return [p for p in paths if p.is_dir()]
