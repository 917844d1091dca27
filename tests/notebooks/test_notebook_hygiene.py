"""Committed notebooks are clean and shaped as NOTEBOOK_GUIDE.md asks; nbval executes them (make test)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
# The English notebooks and the Korean edition (notebooks/ko), each folder with its own src/ of jupytext pairs.
FOLDERS = [NOTEBOOK_DIR, NOTEBOOK_DIR / "ko"]
NOTEBOOKS = sorted(nb for folder in FOLDERS for nb in folder.glob("*.ipynb"))
MODULES = [nb for nb in NOTEBOOKS if nb.name[:2].isdigit() and not nb.name.startswith("99")]


def _id(path: Path) -> str:
    return str(path.relative_to(NOTEBOOK_DIR))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def test_the_workshop_has_notebooks() -> None:
    assert MODULES, f"no module notebooks in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_committed_without_outputs(path: Path) -> None:
    dirty = [
        i
        for i, cell in enumerate(_cells(path))
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; strip them before committing"


@pytest.mark.parametrize("path", MODULES, ids=_id)
def test_module_follows_the_guide(path: Path) -> None:
    cells = _cells(path)
    code = "\n".join(_source(c) for c in cells if c["cell_type"] == "code")
    markdown = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    assert cells[0]["cell_type"] == "markdown" and _source(cells[0]).lstrip().startswith("#"), "starts with a title"
    assert "connect(" in code, "has the one setup cell: ws = helpers.connect()"
    assert "ws.check(" in code, "has checkpoints"
    assert "cleanup" in code.lower(), "ends with a cleanup cell"
    assert "99_cleanup" in markdown, "points to 99_cleanup.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
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


@pytest.mark.parametrize("folder", FOLDERS, ids=_id)
def test_every_notebook_has_its_source_and_every_source_its_notebook(folder: Path) -> None:
    notebooks = [p.stem for p in sorted(folder.glob("*.ipynb"))]
    sources = [p.stem for p in sorted((folder / "src").glob("*.py"))]
    assert notebooks == sources, f"{_id(folder)}: pair each notebook with src/<name>.py: jupytext --sync"


def pair_differences(notebook: Path, source: Path) -> list[int]:
    """The cells where a notebook and its py:percent source differ (a count mismatch lists the first extra)."""
    in_source = [(c.cell_type, c.source) for c in jupytext.read(source).cells]
    in_notebook = [(c["cell_type"], _source(c)) for c in _cells(notebook)]
    differing = [i for i, (a, b) in enumerate(zip(in_source, in_notebook, strict=False)) if a != b]
    if len(in_source) != len(in_notebook):
        differing.append(min(len(in_source), len(in_notebook)))
    return differing


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_matches_its_jupytext_source(path: Path) -> None:
    """The .ipynb learners open and the py:percent source reviewers read hold the same cells."""
    differing = pair_differences(path, path.parent / "src" / f"{path.stem}.py")
    assert not differing, (
        f"{_id(path)} and src/{path.stem}.py differ (cells {differing[:5]}): run "
        f"`jupytext --sync {_id(path.parent)}/*.ipynb` after editing either (notebooks/ko: `make ko-sync`)"
    )


def test_a_pair_out_of_step_is_found(tmp_path: Path) -> None:
    """The pair rule on a planted pair: in step, then one cell edited in the source only."""
    source = tmp_path / "src" / "01_x.py"
    source.parent.mkdir()
    source.write_text("# %% [markdown]\n# # 모듈 1\n\n# %%\nx = 1\n")
    notebook = tmp_path / "01_x.ipynb"
    jupytext.write(jupytext.read(source), notebook)
    assert pair_differences(notebook, source) == []
    source.write_text("# %% [markdown]\n# # 모듈 1\n\n# %%\nx = 2\n")
    assert pair_differences(notebook, source) == [1]
    source.write_text("# %% [markdown]\n# # 모듈 1\n")
    assert pair_differences(notebook, source) == [1]
