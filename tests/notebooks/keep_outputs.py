"""A pytest plugin for the nbval run: writes each notebook, with the outputs nbval saw, to a folder.

``make test-notebooks`` loads it with ``-p tests.notebooks.keep_outputs --keep-outputs=build/executed``, so
that tests/notebooks/test_figures.py reads the notebooks as executed once, instead of executing them again.

nbval's cell item runs the cell and keeps what the kernel sent in ``item.test_outputs`` (display data,
results, errors, and the streams merged with their carriage returns applied); its ``item.cell`` is the cell
of the notebook the file collector read (``item.parent.nb``). After each cell, this plugin puts those
outputs into that cell; after a notebook's last cell, it writes the notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--keep-outputs",
        metavar="DIR",
        default=None,
        help="write every notebook nbval executes, with its outputs, into DIR",
    )


def _folder(item: pytest.Item) -> Path | None:
    value = item.config.getoption("--keep-outputs")
    return Path(value) if value else None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    folder = _folder(item)
    cell: Any = getattr(item, "cell", None)
    notebook: Any = getattr(item.parent, "nb", None)
    if folder is None or cell is None or notebook is None:
        return  # not an nbval cell, or nothing asked for
    outputs = getattr(item, "test_outputs", None)
    cell.outputs = list(outputs or [])  # a skipped cell (never run) keeps none
    count = getattr(item.parent, "_kept_count", 0) + (outputs is not None)
    item.parent._kept_count = count  # type: ignore[attr-defined]
    if outputs is not None:
        cell.execution_count = count
        for output in cell.outputs:
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count
    if nextitem is None or nextitem.parent is not item.parent:
        import nbformat

        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(folder / Path(str(item.parent.path)).name))
