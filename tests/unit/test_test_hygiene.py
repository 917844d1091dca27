"""No check in tests/ that cannot fail, and no skip that hides a broken service.

Rules (on each test file's syntax tree):

- an ``assert`` whose expression is always true: a truthy constant (``assert True``, ``assert "text"``), a
  non-empty tuple, list, set or dict literal (``assert (x, "message")``), an ``and``/``or`` with a constant
  operand (``assert x or True``), ``json.dumps(...)`` or ``repr(...)`` (never an empty string), an f-string
  with literal text;
- a skip (``pytest.skip``, ``pytest.mark.skip``, ``pytest.mark.skipif``, ``pytest.xfail`` and a non-strict
  ``xfail`` mark) whose reason names a service or says something is not there "yet": pocketcloud runs every
  service it has, so a service that is missing or broken must fail, not skip. Skips for the host (no setpriv
  on this machine) or for a run that did not ask for something (an environment variable not set) stay
  allowed, and so does a strict xfail (it runs, and fails once the defect it names is gone).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SERVICE_SKIP = re.compile(
    r"\b(yet|services?|x-?ray|lambda|rds|(?:db )?proxy|api ?gateway|cloudwatch|logs|sns|s3|iam|vpc|"
    r"secrets ?manager|mariadb|mysql|pocketcloud|moto)\b",
    re.IGNORECASE,
)
_SKIPS = {"skip", "skipif", "xfail"}
_NEVER_EMPTY_STRINGS = {"json.dumps", "dumps", "repr"}


def _dotted(node: ast.expr) -> str:
    """``pytest.mark.skipif`` for that attribute chain; '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _always_true(test: ast.expr) -> str | None:
    """Why ``assert <test>`` can never fail, or None."""
    if isinstance(test, ast.Constant) and test.value:
        return "asserts a constant"
    if (isinstance(test, (ast.Tuple, ast.List, ast.Set)) and test.elts) or (isinstance(test, ast.Dict) and test.keys):
        return "asserts a non-empty literal (a tuple is always true)"
    if isinstance(test, ast.BoolOp) and any(isinstance(value, ast.Constant) for value in test.values):
        return f"an `{'or' if isinstance(test.op, ast.Or) else 'and'}` with a constant operand"
    if isinstance(test, ast.Call) and _dotted(test.func) in _NEVER_EMPTY_STRINGS:
        return f"asserts {_dotted(test.func)}(...), a string that is never empty"
    if isinstance(test, ast.JoinedStr) and any(isinstance(v, ast.Constant) and v.value for v in test.values):
        return "asserts an f-string with literal text"
    return None


def _reason(call: ast.Call) -> str:
    """The literal text of a skip's reason (positional strings and ``reason=`` / ``msg=``)."""
    parts = [*call.args, *(k.value for k in call.keywords if k.arg in ("reason", "msg"))]
    texts = []
    for part in parts:
        strings = part.values if isinstance(part, ast.JoinedStr) else [part]
        texts += [s.value for s in strings if isinstance(s, ast.Constant) and isinstance(s.value, str)]
    return " ".join(texts)


def _strict(call: ast.Call) -> bool:
    """A strict xfail runs its test and fails once the known defect is gone: a check, not a skip."""
    return any(k.arg == "strict" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


def problems(source: str) -> list[tuple[int, str]]:
    """(line, problem) for each check in ``source`` that cannot fail or skips on a missing service.

    >>> problems("def test_x():\\n    assert x or True\\n")
    [(2, 'an `or` with a constant operand')]
    >>> problems("def test_x():\\n    assert x == 1, 'one'\\n")
    []
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert) and (why := _always_true(node.test)):
            found.append((node.lineno, why))
        elif isinstance(node, ast.Call) and _dotted(node.func).rsplit(".", 1)[-1] in _SKIPS and not _strict(node):
            reason = _reason(node)
            if SERVICE_SKIP.search(reason):
                found.append((node.lineno, f"skips on a service being absent: {reason!r}"))
    return sorted(found)


def test_the_checker_finds_each_kind_of_check_that_cannot_fail() -> None:
    planted = {
        "assert True": "asserts a constant",
        "assert 'the proxy reports its pool'": "asserts a constant",
        "assert (status == 200, 'ok')": "asserts a non-empty literal (a tuple is always true)",
        "assert x or True": "an `or` with a constant operand",
        "assert x and 1": "an `and` with a constant operand",
        "assert a == b or 'fallback'": "an `or` with a constant operand",
        "assert json.dumps(status)": "asserts json.dumps(...), a string that is never empty",
        "assert repr(value)": "asserts repr(...), a string that is never empty",
        "assert f'status {status}'": "asserts an f-string with literal text",
    }
    for statement, problem in planted.items():
        assert problems(f"def test_planted(x, a, b, status, value):\n    {statement}\n") == [(2, problem)], statement


def test_the_checker_finds_skips_on_an_absent_service() -> None:
    planted = [
        'pytest.skip("pocketcloud has no X-Ray service yet")',
        'pytest.skip(reason=f"RDS is not running on {port}")',
        '@pytest.mark.skipif("xray" not in ports, reason="no xray")\ndef test_y(): pass',
        '@pytest.mark.skip(reason="Lambda layers not supported")\ndef test_z(): pass',
        'pytest.xfail("the proxy is not there yet")',
        '@pytest.mark.xfail(reason="moto returns the wrong shape")\ndef test_w(): pass',
    ]
    for statement in planted:
        [(line, problem)] = problems(f"import pytest\n{statement}\n")
        assert line == 2 and problem.startswith("skips on a service being absent"), statement


def test_the_checker_leaves_checks_that_can_fail_alone() -> None:
    fine = """
import json, pytest
def test_fine(x, status, ws, first):
    assert x
    assert not x
    assert False, "unreachable"
    assert x or status
    assert x is not None and x.ok
    assert json.loads(status) == {}
    assert isinstance(status, dict) and set(status) == {"rds"}
    assert ws.endpoint_url == first.endpoint_url
    assert f"{x}"
    pytest.skip("no setpriv or pidfds on this machine")

@pytest.mark.skipif(not x, reason="EXECUTED_NOTEBOOKS not set: make test-notebooks sets it after nbval")
def test_later(): pass

@pytest.mark.xfail(strict=True, reason="moto answers with the document's Python repr")
def test_known_moto_defect(): pass
"""
    assert problems(fine) == []


def test_no_test_file_has_a_check_that_cannot_fail() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 50, f"expected the whole test tree under {TESTS}"
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}: {problem}"
        for path in files
        for line, problem in problems(path.read_text())
    ]
    assert found == [], "\n".join(found)
