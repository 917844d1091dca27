"""Keep the Korean notebooks' code cells identical to the English ones (make ko-sync).

For every English source ``notebooks/src/NN_*.py`` the Korean source ``notebooks/ko/src/NN_*.py`` must have the
same cell-type sequence; each English code cell is copied into the Korean source at the same position (the Korean
markdown cells are kept), then ``jupytext --sync`` brings ``notebooks/ko/NN_*.ipynb`` up to date.
A notebook whose cell types differ is left untouched and listed, and the run exits 1.

Usage: ``python tools/sync_ko_notebooks.py [--create] [NN_name ...]``. ``--create`` starts a missing Korean
source as a copy of the English one (markdown still English, to be translated).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import jupytext  # type: ignore[import-untyped]
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
ENGLISH_SOURCES = ROOT / "notebooks" / "src"
KOREAN_DIR = ROOT / "notebooks" / "ko"
KOREAN_SOURCES = KOREAN_DIR / "src"
# The same filters as notebooks/ko/jupytext.toml, so a rewritten source keeps its header-less py:percent form.
_FILTERS = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "-all"}


def cell_types(notebook: NotebookNode) -> list[str]:
    """The notebook's cell types in order, e.g. ``['markdown', 'code', ...]``."""
    return [cell.cell_type for cell in notebook.cells]


def type_mismatches(english: Sequence[str], korean: Sequence[str]) -> list[str]:
    """Where two cell-type sequences part, one line per differing position.

    >>> type_mismatches(["markdown", "code"], ["markdown", "code"])
    []
    >>> type_mismatches(["markdown", "code"], ["markdown", "markdown", "code"])
    ['cell 1: English code, Korean markdown', 'cell 2: English (none), Korean code']
    """
    lines = []
    for index in range(max(len(english), len(korean))):
        en = english[index] if index < len(english) else "(none)"
        ko = korean[index] if index < len(korean) else "(none)"
        if en != ko:
            lines.append(f"cell {index}: English {en}, Korean {ko}")
    return lines


def copy_code_cells(english: NotebookNode, korean: NotebookNode) -> list[int]:
    """Put each English code cell's source into the Korean notebook (same cell types); the indexes changed."""
    changed = []
    for index, (en, ko) in enumerate(zip(english.cells, korean.cells, strict=True)):
        if en.cell_type == "code" and ko.source != en.source:
            ko.source = en.source
            changed.append(index)
    return changed


def sync_one(name: str, create: bool) -> list[str]:
    """Bring one Korean source in step with its English source; the problems found (empty when in step)."""
    english_path = ENGLISH_SOURCES / f"{name}.py"
    korean_path = KOREAN_SOURCES / f"{name}.py"
    if not korean_path.exists():
        if not create:
            return [f"{name}: no Korean source {korean_path.relative_to(ROOT)} (--create starts one)"]
        shutil.copyfile(english_path, korean_path)
        print(f"{name}: created from the English source; translate its markdown cells")
    english = jupytext.read(english_path)
    korean = jupytext.read(korean_path)
    mismatches = type_mismatches(cell_types(english), cell_types(korean))
    if mismatches:
        shown = [f"  {line}" for line in mismatches[:8]]
        more = [f"  ... {len(mismatches) - 8} more positions"] if len(mismatches) > 8 else []
        return [f"{name}: cell types differ from the English notebook, nothing copied:", *shown, *more]
    changed = copy_code_cells(english, korean)
    if changed:
        korean.metadata.setdefault("jupytext", {}).update(_FILTERS)
        jupytext.write(korean, korean_path, fmt="py:percent")
        print(f"{name}: copied English code cells {changed}")
    return []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names (default: every English notebook)")
    parser.add_argument("--create", action="store_true", help="start missing Korean sources from the English ones")
    args = parser.parse_args(argv)
    names = args.names or sorted(path.stem for path in ENGLISH_SOURCES.glob("*.py"))
    KOREAN_SOURCES.mkdir(parents=True, exist_ok=True)
    problems = [line for name in names for line in sync_one(name, args.create)]
    sources = sorted(str(path) for path in KOREAN_SOURCES.glob("*.py"))
    if sources:
        # --sync writes the .ipynb from the .py (the newer one wins; a new .py has no .ipynb yet).
        jupytext_cli = Path(sys.executable).with_name("jupytext")
        subprocess.run([str(jupytext_cli), "--sync", *sources], cwd=KOREAN_DIR, check=True)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
