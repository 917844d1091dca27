"""Measured Lambda calls in the notebooks and module helpers go through the one-attempt client.

A control-plane client (``ws.client("lambda")``) retries a throttled invoke, so a 429 the lesson is about never
reaches the table; helpers/session.py documents ``ws.client("lambda", retries=False)`` for measured calls.
Read from the sources: a call to a measuring function whose client argument is (a name bound to) a Lambda
client made without ``retries=False`` is reported with its line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The functions whose first argument is the Lambda client they measure with.
MEASURING = {"timed_invoke", "invoke_many", "start_environments"}
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py")) + sorted(
    (ROOT / "helpers" / "modules").glob("m[0-9]*.py")
)


def _retrying_lambda_client(node: ast.AST) -> bool:
    """``<x>.client("lambda", ...)`` without ``retries=False``."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "client"):
        return False
    if not (node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "lambda"):
        return False
    retries = next((k.value for k in node.keywords if k.arg == "retries"), None)
    return not (isinstance(retries, ast.Constant) and retries.value is False)


def retrying_measurements(source: str) -> list[int]:
    """Lines where a measuring function is given a retrying Lambda client (a name's latest binding counts).

    >>> retrying_measurements('lam = ws.client("lambda")\\nm.timed_invoke(lam, "f")')
    [2]
    >>> retrying_measurements('lam = ws.client("lambda", retries=False)\\nm.timed_invoke(lam, "f")')
    []
    >>> retrying_measurements('m.burst(lambda: m.timed_invoke(ws.client("lambda"), "f"), count=3)')
    [1]
    """
    retrying: dict[str, bool] = {}
    found = []
    for node in sorted(
        ast.walk(ast.parse(source)), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))
    ):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            retrying[node.targets[0].id] = _retrying_lambda_client(node.value)
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            client = node.args[0]
            if name in MEASURING and (
                _retrying_lambda_client(client) or (isinstance(client, ast.Name) and retrying.get(client.id, False))
            ):
                found.append(node.lineno)
    return found


# Notebook 04 is being reworked in another change; its on-demand vs provisioned burst still measures with the
# retrying client. Strict: once it is fixed this mark fails, and goes.
_KNOWN: dict[str, str] = {}
PARAMS = [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=_KNOWN[p.name])) if p.name in _KNOWN else p
    for p in SOURCES
]


@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.name)
def test_measured_calls_use_the_one_attempt_client(path: Path) -> None:
    lines = retrying_measurements(path.read_text())
    assert lines == [], f"{path.relative_to(ROOT)} measures with a retrying Lambda client at lines {lines}"
