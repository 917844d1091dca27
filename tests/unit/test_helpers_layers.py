"""helpers/ in layers: imports point down only (modules -> views -> measure -> aws -> session, text) and never
go round in a circle. Read from the source with ``ast``, imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[2] / "helpers"

# Lower number = lower layer. A module may import its own layer and the layers below it.
LAYERS = {"text": 0, "session": 0, "aws": 1, "measure": 2, "views": 3, "modules": 4}
TOP = 5  # the package itself and its entry points (cleanup CLI, conftest): nothing imports them


def module_name(path: Path, root: Path) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Every module of the package at ``root`` mapped to the package's modules it imports."""
    paths = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                # "from pkg import name" imports the submodule pkg.name when there is one
                targets.update(f"{base}.{a.name}" if f"{base}.{a.name}" in paths else base for a in node.names)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], TOP) if len(parts) > 1 else TOP


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of ``graph``, each as the path that closes it (depth-first search)."""
    found: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return found


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports from a lower layer into a higher one, and anything the narrow package ``__init__`` pulls in
    beyond the session."""
    wrong = [f"{a} -> {b}" for a, targets in graph.items() for b in sorted(targets) if layer(b) > layer(a)]
    root = next(name for name in graph if "." not in name)
    wrong += [f"{root} -> {b} (the package's __init__ stays narrow)" for b in sorted(graph[root]) if layer(b) > 0]
    return sorted(wrong)


def test_helpers_have_no_import_cycles() -> None:
    assert cycles(import_graph(HELPERS)) == []


def test_helpers_import_down_the_layers_only() -> None:
    assert upward_imports(import_graph(HELPERS)) == []


def test_every_layer_is_there() -> None:
    graph = import_graph(HELPERS)
    assert {name.split(".")[1] for name in graph if "." in name} >= set(LAYERS)
    assert graph["helpers.aws.lambdas"] >= {"helpers.session", "helpers.aws.waiting"}, "the graph reads imports"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "helpers"
    for name, source in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(source)
    return root


@pytest.mark.parametrize(
    "files",
    [
        {
            "__init__.py": "",
            "aws/__init__.py": "from . import a",
            "aws/a.py": "def f():\n    from .b import g\n",  # inside a function counts
            "aws/b.py": "from helpers.aws import a",
        },
        {"__init__.py": "", "session.py": "import helpers.views.x", "views/__init__.py": "", "views/x.py": ""},
    ],
    ids=["cycle", "upward"],
)
def test_the_checks_find_what_they_look_for(tmp_path: Path, files: dict[str, str]) -> None:
    graph = import_graph(_package(tmp_path, files))
    assert cycles(graph) or upward_imports(graph)
    if "aws/b.py" in files:
        assert cycles(graph) == [["helpers.aws.a", "helpers.aws.b", "helpers.aws.a"]]
    else:
        assert upward_imports(graph) == ["helpers.session -> helpers.views.x"]
