"""The install extras: `workshop` is everything a notebook kernel needs and no Jupyter server, `lab` the server.

A learner on SageMaker Studio or on a VM's JupyterLab runs `pip install -e '.[workshop]'` in the kernel's
environment; it must bring every package helpers/, the notebooks and the learner's Lambda code import, and
must not install (and so replace) the host's JupyterLab. Read from pyproject.toml and the installed
packages' own metadata, not from a list kept here.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]
# The Jupyter server side: a host (SageMaker Studio, JupyterLab on a VM) has its own.
SERVER_PACKAGES = {"jupyterlab", "jupyter-server", "notebook", "nbclassic", "jupyterhub", "jupyter-lsp"}
# Where the kernel's imports come from: the toolkit, the notebooks, and the code deployed as functions.
KERNEL_SOURCES = ["helpers", "notebooks/src", "lambda_code"]
# The repository's own packages; pocketcloud is imported by helpers only on the local target.
OWN = {"helpers", "pocketcloud"}


def _name(requirement: str) -> str:
    """A requirement's distribution name, normalised (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9._-]+)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def closure(requirements: list[str]) -> set[str]:
    """Every distribution ``requirements`` bring, through the installed packages' metadata (their own
    extras left out, as pip leaves them out unless asked)."""
    seen: set[str] = set()
    todo = [_name(r) for r in requirements]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in requires if "extra ==" not in r.replace("extra==", "extra ==")]
    return seen


def third_party_imports() -> set[str]:
    """Top-level modules imported anywhere in the kernel's sources, the standard library and our own left out."""
    found: set[str] = set()
    for folder in KERNEL_SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - OWN - {"__future__"}


def test_the_workshop_extra_brings_no_jupyter_server() -> None:
    brought = closure(EXTRAS["workshop"])
    assert not brought & SERVER_PACKAGES, f"`.[workshop]` would install {sorted(brought & SERVER_PACKAGES)}"


def test_the_lab_extra_is_the_jupyter_server_of_the_local_path() -> None:
    assert {"jupyterlab", "jupytext", "nbconvert"} <= {_name(r) for r in EXTRAS["lab"]}
    makefile = (ROOT / "Makefile").read_text()
    extras = re.search(r"^EXTRAS\s*:=\s*\.\[([^\]]*)\]", makefile, re.MULTILINE)
    assert extras, "the Makefile names the extras make setup installs"
    assert {"workshop", "lab", "pocketcloud", "dev"} <= set(extras.group(1).split(","))


def test_every_package_the_kernel_imports_comes_with_the_workshop_extra() -> None:
    brought = closure(["boto3", *EXTRAS["workshop"]])
    providers = metadata.packages_distributions()
    missing = {}
    for module in sorted(third_party_imports()):
        dists = {_name(d) for d in providers.get(module, [module])}
        if not dists & brought:
            missing[module] = sorted(dists)
    assert not missing, f"imported by the kernel's code but not brought by `.[workshop]`: {missing}"
