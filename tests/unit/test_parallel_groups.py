"""tests/parallel.py: which tests make test-unit's xdist workers may run side by side, and which one after another."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.parallel import SERIAL, SERIAL_FOLDERS, TESTS, scope_of

ROOT = TESTS.parent
TEST_FILES = sorted(TESTS.rglob("test_*.py"))
# What a test may hold only alone: the learner's default port, and the repo's own state dir and build folders
# (a private cloud's are under tmp_path, its ports free ones).
SHARED = re.compile(r"""=\s*4566\b|\b(?:REPO|ROOT)\w*\s*/\s*["'](?:\.pocketcloud|build)["']""")


def _in_serial_folder(path: Path) -> bool:
    return path.relative_to(TESTS).parts[0] in SERIAL_FOLDERS


def _nodeid(path: Path, test: str) -> str:
    return f"{path.relative_to(ROOT).as_posix()}::{test}"


def test_the_tests_of_the_default_port_and_the_repo_paths_run_on_one_worker_one_after_another() -> None:
    serial = [path for path in TEST_FILES if _in_serial_folder(path)]
    assert {"learner", "browser"} <= {path.parent.name for path in serial}, "both folders hold tests"
    assert {scope_of(_nodeid(path, "test_x"), ROOT) for path in serial} == {SERIAL}


def test_every_other_test_file_is_a_unit_of_its_own_with_all_of_its_tests() -> None:
    others = [path for path in TEST_FILES if not _in_serial_folder(path)]
    scopes = {}
    for path in others:
        tests = ("test_a", "TestB::test_c", "test_d[x-1]", "test_e[user@host]")
        found = {scope_of(_nodeid(path, test), ROOT) for test in tests}
        assert len(found) == 1, f"{path.name}'s tests are spread over {found}: its module fixtures would start twice"
        scopes[path] = found.pop()
    assert len(set(scopes.values())) == len(others), "each file is a unit of its own, so files run side by side"
    assert SERIAL not in scopes.values()


def test_an_xdist_group_mark_that_xdist_writes_into_the_id_is_honoured() -> None:
    assert scope_of("tests/unit/test_ids.py::test_hex@database", ROOT) == "database"
    assert scope_of("tests/unit/test_ids.py::test_hex[a@b]", ROOT) == "unit/test_ids.py"


def test_a_test_file_that_holds_the_default_port_or_a_repo_path_lies_in_a_serial_folder() -> None:
    this_file = Path(__file__).resolve()
    holders = [path for path in TESTS.rglob("*.py") if path != this_file and SHARED.search(path.read_text())]
    assert holders, "the learner and browser tests use the default port and the repo's .pocketcloud"
    outside = [str(path.relative_to(TESTS)) for path in holders if not _in_serial_folder(path)]
    assert outside == [], (
        "these use 127.0.0.1:4566 or the repo's .pocketcloud/build: add their folder to SERIAL_FOLDERS"
    )


def test_make_test_units_workers_run_each_file_on_one_worker() -> None:
    """tests/conftest.py hands xdist the scheduler: a real ``pytest -n 2 --dist loadgroup`` of two small files."""
    files = ["tests/unit/test_ids.py", "tests/unit/test_settings.py"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider", *files],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    workers: dict[str, set[str]] = {}
    for worker, test_file in re.findall(r"^\[(gw\d+)\] \[ *\d+%\] PASSED (\S+?)::", result.stdout, re.MULTILINE):
        workers.setdefault(test_file, set()).add(worker)
    assert set(workers) == set(files), result.stdout
    assert all(len(on) == 1 for on in workers.values()), f"a file's tests ran on several workers: {workers}"
