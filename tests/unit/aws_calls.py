"""Which AWS API operations helpers/ calls, read from its source (AST) and botocore's service models.

A call counts when it is a boto3 client method named after an operation of a service helpers/ makes a client
for (``ws.client("lambda")`` / ``client("rds")`` / ``session.client("sts")``): ``lam.invoke(...)``,
``ws.client("rds").describe_db_instances(...)``, a paginator or a method passed by name
(``get_paginator("list_roles")``, ``_paginate(client("iam"), "list_roles", ...)``), and a waiter passed by name
(``wait_for(lam, "function_active_v2", ...)``: the waiter's operation, from botocore's waiter model). The
receiver's service comes from the variable it was bound to in the same function; a method name that only
one service has needs no binding. A name several services share with no binding in sight is reported as
ambiguous, so that a new call cannot slip through unseen.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
from collections.abc import Iterator
from pathlib import Path

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
# What runs with the learner's credentials: the toolkit and the notebooks (the learner's Lambda code runs
# with its function's execution role instead).
SOURCES = (ROOT / "helpers", ROOT / "notebooks" / "src")
# Client methods that are not API operations.
NOT_OPERATIONS = {"get_paginator", "get_waiter", "can_paginate", "close", "generate_presigned_url"}


@dataclasses.dataclass(frozen=True, order=True)
class Call:
    service: str  # botocore's service name, e.g. "apigateway"
    operation: str  # the API operation, e.g. "GetRestApis"
    where: str  # file:line of the call site
    keywords: tuple[str, ...] = ()  # the keyword arguments it passes (Tags=..., TagSpecifications=...)


@functools.cache
def _botocore() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def operations(service: str) -> dict[str, str]:
    """snake_case method name -> operation name, for ``service``."""
    model = _botocore().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


@functools.cache
def waiters(service: str) -> dict[str, str]:
    """waiter name (as boto3 spells it) -> the operation it polls."""
    try:
        model = _botocore().get_waiter_model(service)
    except Exception:  # the service has no waiters
        return {}
    return {xform_name(name): model.get_waiter(name).operation for name in model.waiter_names}


def _client_service(node: ast.AST) -> str | None:
    """``"rds"`` for ``ws.client("rds")``, ``client("rds")``, ``session.client("rds", ...)``."""
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
        return None
    func = node.func
    named = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return str(node.args[0].value) if named == "client" and isinstance(node.args[0].value, str) else None


def _files(roots: tuple[Path, ...]) -> list[Path]:
    return sorted(path for root in roots for path in root.rglob("*.py"))


def services_used(roots: tuple[Path, ...] = SOURCES) -> set[str]:
    """Every service the sources make a client for."""
    found = set()
    for path in _files(roots):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            service = _client_service(node)
            if service:
                found.add(service)
    return found


def _bindings(scope: ast.AST) -> dict[str, str]:
    """Variables bound to a client in ``scope`` (not descending into nested functions): name -> service."""
    bound: dict[str, str] = {}
    for node in _walk_scope(scope):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs: list[tuple[ast.AST, ast.AST]] = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = list(zip(target.elts, node.value.elts, strict=False))
            for name, value in pairs:
                service = _client_service(value)
                if service and isinstance(name, ast.Name):
                    bound[name.id] = service
    return bound


def _walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``scope``, nested function bodies included (closures see their parent's clients)."""
    yield from ast.walk(scope)


class Scanner:
    def __init__(self, services: set[str]) -> None:
        self.services = services
        self.by_method: dict[str, set[str]] = {}
        self.by_waiter: dict[str, set[str]] = {}
        for service in services:
            for method in operations(service):
                self.by_method.setdefault(method, set()).add(service)
            for waiter in waiters(service):
                self.by_waiter.setdefault(waiter, set()).add(service)
        self.calls: set[Call] = set()
        self.ambiguous: list[str] = []

    def _add(
        self, candidates: set[str], method: str, where: str, waiter: bool = False, keywords: tuple[str, ...] = ()
    ) -> None:
        if len(candidates) != 1:
            self.ambiguous.append(f"{where}: {method} (one of {sorted(candidates)})")
            return
        service = candidates.pop()
        operation = waiters(service)[method] if waiter else operations(service)[method]
        self.calls.add(Call(service, operation, where, keywords))

    def scan_function(self, scope: ast.AST, bound: dict[str, str], where: str) -> None:
        for node in _walk_scope(scope):
            line = f"{where}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                method, receiver = node.func.attr, node.func.value
                if method in NOT_OPERATIONS or method not in self.by_method:
                    continue
                keywords = tuple(sorted(k.arg for k in node.keywords if k.arg))
                service = _client_service(receiver) or (
                    bound.get(receiver.id) if isinstance(receiver, ast.Name) else None
                )
                if service is not None and method in operations(service):
                    self._add({service}, method, line, keywords=keywords)
                elif service is None:
                    self._add(set(self.by_method[method]), method, line, keywords=keywords)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # An operation or a waiter passed by name (paginators, getattr, wait_for).
                if node.value in self.by_method:
                    self._add(set(self.by_method[node.value]), node.value, line)
                if node.value in self.by_waiter:
                    self._add(set(self.by_waiter[node.value]), node.value, line, waiter=True)


def scan(roots: tuple[Path, ...] = SOURCES) -> tuple[set[Call], list[str]]:
    """The operations the sources call and the call sites whose service could not be told."""
    scanner = Scanner(services_used(roots))
    for path in _files(roots):
        tree = ast.parse(path.read_text(), str(path))
        where = str(path.relative_to(ROOT))
        module_bound = _bindings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                scanner.scan_function(node, {**module_bound, **_bindings(node)}, where)
        # Module-level statements (outside any function).
        for statement in tree.body:
            if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                scanner.scan_function(statement, module_bound, where)
    return scanner.calls, scanner.ambiguous
