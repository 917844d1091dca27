"""The Python runtime a function sees: awslambdaric plus the AWS SDK, as Lambda's Python runtime ships them.

Built once per server as a folder of symlinks into pocketcloud's own site-packages, so a function does
not see pocketcloud's other packages (pymysql, for one, must come from a layer, as on AWS).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

# Top-level modules Lambda's Python runtime provides, and what awslambdaric itself imports.
RUNTIME_MODULES = [
    "awslambdaric",
    "runtime_client",
    "simplejson",
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "urllib3",
    "dateutil",
    "six",
]


def build_runtime_dir(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for module in RUNTIME_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"pocketcloud needs {module!r} installed to run Lambda functions")
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        link = target / source.name
        if link.is_symlink() or link.exists():
            if link.resolve() == source.resolve():
                continue
            link.unlink()
        link.symlink_to(source)
    return target
