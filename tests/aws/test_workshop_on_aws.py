"""Every notebook, then the cleanup, on a real AWS account; afterwards nothing of the workshop is left.

For instructors before a workshop: ``WORKSHOP_TARGET=aws .venv/bin/pytest -m aws tests/aws`` with credentials
for a sandbox account (the README says what it costs). The executed notebooks are written to build/aws/.
The cleanup notebook runs with ``CONFIRM_DELETE = True``: running this tier is the confirmation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "aws"
MODULES = sorted(p.name for p in NOTEBOOKS.glob("0[0-9]_*.ipynb"))
CLEANUP = "99_cleanup.ipynb"

pytestmark = [pytest.mark.aws, pytest.mark.timeout(5 * 3600)]


def confirmed(notebook: Any) -> Any:
    """The cleanup notebook with its confirmation cell set to delete."""
    cells = [c for c in notebook.cells if c.cell_type == "code" and c.source.lstrip().startswith("CONFIRM_DELETE")]
    assert len(cells) == 1, "99_cleanup has one CONFIRM_DELETE cell"
    cells[0].source = "CONFIRM_DELETE = True  # the aws test tier confirms"
    return notebook


def execute(name: str, *, confirm: bool = False) -> str | None:
    """Run one notebook top to bottom in a kernel on the AWS target; the error, or None."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    if confirm:
        notebook = confirmed(notebook)
    client = NotebookClient(
        notebook, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    try:
        client.execute()
        return None
    except CellExecutionError as error:
        return f"{name}: {str(error).splitlines()[-1] if str(error) else type(error).__name__}"
    finally:
        OUT.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, OUT / name)


def test_every_notebook_and_the_cleanup_leave_nothing_behind() -> None:
    import helpers
    from helpers.aws.inventory import find_resources

    ws = helpers.connect("aws")
    assert not ws.local
    failures = []
    try:
        for name in MODULES:
            failure = execute(name)
            if failure:
                failures.append(failure)
                break  # later modules build on this one's resources
    finally:
        cleanup = execute(CLEANUP, confirm=True)
        left = find_resources(ws.client, ws.prefix)
    assert not left, f"left on the account after 99_cleanup: {[(r.kind, r.name) for r in left]}"
    assert cleanup is None, cleanup
    assert not failures, failures
