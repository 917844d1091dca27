"""How ``pytest -n N --dist loadgroup`` (make test-unit) shares the test files among pytest-xdist's workers.

Each test file is one unit of work, so that its module-scoped fixtures (a MariaDB, a VPC stack, a cloud with
settings of its own) are set up once, on one worker, as in a serial run. The folders whose tests hold what only
one test may hold at a time (127.0.0.1:4566, the repo's own .pocketcloud, `make lab`, folders under build/) are
one unit together, so they run one after another on a single worker.

xdist's own loadgroup reads ``xdist_group`` marks from suffixes it writes into the test ids, which pytest 9.2's
structured ids no longer take (pytest-dev/pytest-xdist#1386): the grouping here uses the test's path instead,
and still honours such a suffix where xdist manages to write one.
"""

from __future__ import annotations

from pathlib import Path

from xdist.scheduler import LoadGroupScheduling

TESTS = Path(__file__).resolve().parent
# The learner's default port and the repo's .pocketcloud (learner, browser: `make lab`), build/aws (aws).
SERIAL_FOLDERS = ("learner", "browser", "aws")
SERIAL = "serial"


def work_unit(test_file: Path) -> str:
    """The unit of work a test file's tests belong to: "serial" for the folders that share the default port
    or repo paths, else the file itself (relative to tests/).

    >>> work_unit(TESTS / "learner" / "test_first_ten_minutes.py")
    'serial'
    >>> work_unit(TESTS / "unit" / "test_ids.py")
    'unit/test_ids.py'
    """
    path = test_file.resolve()
    if not path.is_relative_to(TESTS):  # e.g. notebooks that nbval collects
        return str(path)
    relative = path.relative_to(TESTS)
    return SERIAL if relative.parts[0] in SERIAL_FOLDERS else relative.as_posix()


def scope_of(nodeid: str, rootpath: Path) -> str:
    """The unit of work of the test ``nodeid`` (relative to ``rootpath``, as xdist's controller sees it): the
    group of its ``xdist_group`` mark where xdist wrote one into the id (``...::test_x@group``), else its
    file's :func:`work_unit`.

    >>> scope_of("tests/unit/test_ids.py::TestIds::test_hex[a@b]", TESTS.parent)
    'unit/test_ids.py'
    >>> scope_of("tests/unit/test_ids.py::test_hex@solo", TESTS.parent)
    'solo'
    """
    if nodeid.rfind("@") > nodeid.rfind("]"):  # a parameter's value may hold an @, as in xdist's own rule
        return nodeid.rsplit("@", 1)[1]
    return work_unit(rootpath / nodeid.split("::", 1)[0])


class FileGroupScheduling(LoadGroupScheduling):
    """xdist's loadgroup scheduler with :func:`scope_of` as the grouping."""

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid, self.config.rootpath)
