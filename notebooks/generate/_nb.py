"""Tiny builder for workshop notebooks: markdown and code cells in order, written without outputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1]


class Notebook:
    def __init__(self) -> None:
        self.cells: list = []

    def md(self, text: str) -> None:
        self.cells.append(nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip()))

    def code(self, text: str) -> None:
        self.cells.append(nbformat.v4.new_code_cell(textwrap.dedent(text).strip()))

    def write(self, name: str) -> Path:
        notebook = nbformat.v4.new_notebook()
        notebook.cells = self.cells
        notebook.metadata = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
        for i, cell in enumerate(notebook.cells):
            cell["id"] = f"{Path(name).stem[:2]}-{i:03d}"
        nbformat.validate(notebook)
        path = NOTEBOOKS / name
        nbformat.write(notebook, path)
        return path
