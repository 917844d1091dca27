"""No password is written into code, notebooks or handlers: they are generated and kept in Secrets Manager."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A literal string handed to something password-like, e.g. MasterUserPassword="hunter2" or password='x'.
LITERAL_PASSWORD = re.compile(r"""(?i)(password|passwd|secret_?key)\s*[=:]\s*["'][^"'{}\s]{4,}["']""")


def _files() -> list[Path]:
    return [
        *ROOT.glob("helpers/**/*.py"),
        *ROOT.glob("lambda_code/**/*.py"),
        *ROOT.glob("notebooks/**/*.py"),
        *ROOT.glob("notebooks/*.ipynb"),
    ]


def test_the_scan_sees_the_workshop() -> None:
    names = {p.name for p in _files()}
    assert "lambda_function.py" in names and "01_first_lambda.ipynb" in names


def test_no_literal_passwords() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _files()
        for match in LITERAL_PASSWORD.finditer(path.read_text(errors="replace"))
    ]
    assert found == [], "passwords must be generated and stored in Secrets Manager:\n" + "\n".join(found)


def test_the_pattern_catches_what_it_should() -> None:
    assert LITERAL_PASSWORD.search('MasterUserPassword="Sup3rSecret"')
    assert not LITERAL_PASSWORD.search('password=secret["password"]')
    assert not LITERAL_PASSWORD.search("password=os.environ['DB_PASSWORD']")
