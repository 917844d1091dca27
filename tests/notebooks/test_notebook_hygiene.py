"""Committed notebooks are clean and shaped as NOTEBOOK_GUIDE.md asks; nbval executes them (make test)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SOURCES = sorted((NOTEBOOK_DIR / "src").glob("*.py"))
MODULES = [nb for nb in NOTEBOOKS if nb.name[:2].isdigit() and not nb.name.startswith("99")]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def test_the_workshop_has_notebooks() -> None:
    assert MODULES, f"no module notebooks in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    dirty = [
        i
        for i, cell in enumerate(_cells(path))
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; strip them before committing"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_follows_the_guide(path: Path) -> None:
    cells = _cells(path)
    code = "\n".join(_source(c) for c in cells if c["cell_type"] == "code")
    markdown = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    assert cells[0]["cell_type"] == "markdown" and _source(cells[0]).lstrip().startswith("#"), "starts with a title"
    assert "connect(" in code, "has the one setup cell: ws = helpers.connect()"
    assert "ws.check(" in code, "has checkpoints"
    assert "cleanup" in code.lower(), "ends with a cleanup cell"
    assert "99_cleanup" in markdown, "points to 99_cleanup.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_dollar_signs_in_markdown(path: Path) -> None:
    """JupyterLab typesets the text between two ``$`` in a markdown cell as math, escaped (``\\$``) or not
    (jupyterlab/jupyterlab#8645, seen in the browser test): prices write USD."""
    found = [
        (i, line.strip())
        for i, cell in enumerate(_cells(path))
        if cell["cell_type"] == "markdown"
        for line in _source(cell).splitlines()
        if "$" in re.sub(r"`[^`]*`", "", line)  # dollars inside code spans are not typeset
    ]
    assert not found, f"{path.name}: markdown with $ (write USD): {found}"


def test_every_notebook_has_its_source_and_every_source_its_notebook() -> None:
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in SOURCES], "pair each notebook: jupytext --sync"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_matches_its_jupytext_source(path: Path) -> None:
    """The .ipynb learners open and the py:percent source reviewers read hold the same cells."""
    source = jupytext.read(NOTEBOOK_DIR / "src" / f"{path.stem}.py")
    in_source = [(c.cell_type, c.source) for c in source.cells]
    in_notebook = [(c["cell_type"], _source(c)) for c in _cells(path)]
    differing = [i for i, (a, b) in enumerate(zip(in_source, in_notebook, strict=False)) if a != b]
    assert len(in_source) == len(in_notebook) and not differing, (
        f"{path.name} and src/{path.stem}.py differ (cells {differing[:5]}, {len(in_notebook)} vs {len(in_source)} "
        "cells): run `jupytext --sync notebooks/*.ipynb` after editing either"
    )
