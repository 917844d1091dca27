"""Lambda layers from pip packages: wheels for Lambda's platform on AWS, the installed copy offline."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tempfile
from pathlib import Path

from ..session import Workshop
from .lambdas import code_sha256, zip_tree

PYTHON_VERSION = "3.12"
PLATFORM = "manylinux2014_x86_64"
# The MySQL driver with its RSA extra (cryptography): RDS for MySQL 8.4 creates users with
# caching_sha2_password, whose first login over a connection without TLS needs RSA, which pymysql does
# with cryptography (MySQL 8.4 Reference Manual, "Caching SHA-2 Pluggable Authentication").
MYSQL_DRIVER = ["pymysql[rsa]"]


def distributions(requirements: list[str]) -> list[str]:
    """The installed distributions ``requirements`` need (extras and dependencies followed), by name.

    >>> distributions(["pymysql[rsa]"])[:2]
    ['PyMySQL', 'cryptography']
    """
    from packaging.requirements import Requirement

    found: dict[str, None] = {}
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop(0)
        dist = importlib.metadata.distribution(requirement.name)
        name = dist.metadata["Name"]
        if name in found:
            continue
        found[name] = None
        for text in dist.requires or []:
            needed = Requirement(text)
            extras = requirement.extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                pending.append(needed)
    return list(found)


def installed_layer_zip(packages: list[str]) -> bytes:
    """A layer with the installed distributions' files (``packages`` and what they need) under ``python/``
    (works offline)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "python"
        for package in distributions(packages):
            dist = importlib.metadata.distribution(package)
            for entry in dist.files or []:
                source = Path(str(dist.locate_file(entry)))
                if str(entry).startswith("..") or not source.is_file() or "__pycache__" in entry.parts:
                    continue
                target = root / str(entry)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read_bytes())
        return zip_tree(Path(tmp))


def lambda_platform_layer_zip(packages: list[str]) -> bytes:
    """A layer built from wheels for Lambda's Linux and Python version (needs PyPI access)."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "python"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "--platform", PLATFORM,
             "--python-version", PYTHON_VERSION, "--only-binary=:all:", "--implementation", "cp", *packages],
            check=True,
        )  # fmt: skip
        return zip_tree(Path(tmp))


def build_layer(ws: Workshop, name: str, packages: list[str]) -> str:
    """Publish layer ``name`` with ``packages`` unless the latest version has the same content; returns its ARN."""
    # Stays a target difference: pip fetches wheels for Lambda's platform on AWS, but pocketcloud runs
    # functions on this machine's Python, and a workshop laptop may be offline.
    content = installed_layer_zip(packages) if ws.local else lambda_platform_layer_zip(packages)
    digest = code_sha256(content)
    lam = ws.client("lambda")
    versions = lam.list_layer_versions(LayerName=name).get("LayerVersions", [])
    for version in versions:
        if version.get("Description", "").endswith(digest):
            return str(version["LayerVersionArn"])
    published = lam.publish_layer_version(
        LayerName=name,
        Description=f"{ws.tags_text()} {', '.join(packages)} sha256:{digest}",  # layers take no tags
        Content={"ZipFile": content},
        CompatibleRuntimes=[f"python{PYTHON_VERSION}"],
    )
    return str(published["LayerVersionArn"])
