"""The Korean edition (notebooks/ko) is the English workshop cell for cell: same cell types, same code, Korean prose.

Code cells are byte-identical so that one set of helpers, tests and fixes serves both editions (the helpers
pick the language, not the notebook); ``make ko-sync`` copies them over after an English code cell changes.
Each rule is also seen failing on a planted example at the end of this file. The message catalogs' key parity
is tests/helpers' business; the Korean notebooks' outputs are read by test_figures.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jupytext
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
KOREAN_DIR = NOTEBOOK_DIR / "ko"
ENGLISH = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
# Hangul syllables, jamo and compatibility jamo: a markdown cell with none of them was not translated.
HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
FIX = "run `make ko-sync` after changing an English code cell; translate markdown cell for cell"


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _ipynb_cells(path: Path) -> list[tuple[str, str]]:
    return [(c["cell_type"], _source(c)) for c in json.loads(path.read_text())["cells"]]


def _jupytext_cells(path: Path) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in jupytext.read(path).cells]


def has_hangul(text: str) -> bool:
    """True when ``text`` has a Hangul letter.

    >>> has_hangul("## 준비"), has_hangul("## Setup"), has_hangul("ㅋ")
    (True, False, True)
    """
    return bool(HANGUL.search(text))


def edition_problems(english: Sequence[tuple[str, str]], korean: Sequence[tuple[str, str]]) -> list[str]:
    """What keeps ``korean`` (cells as (type, source)) from being the Korean edition of ``english``."""
    english_types = [kind for kind, _ in english]
    korean_types = [kind for kind, _ in korean]
    if english_types != korean_types:
        first = next((i for i, (a, b) in enumerate(zip(english_types, korean_types, strict=False)) if a != b), None)
        where = f"first at cell {first}" if first is not None else "one ends early"
        return [f"cell types differ ({len(english)} English cells, {len(korean)} Korean; {where})"]
    problems = []
    for index, ((kind, en), (_, ko)) in enumerate(zip(english, korean, strict=True)):
        if kind == "code" and en != ko:
            problems.append(f"cell {index}: code differs from the English cell")
        if kind == "markdown" and not has_hangul(ko):
            problems.append(f"cell {index}: markdown without Hangul: {ko.strip()[:60]!r}")
    return problems


def missing_editions(english: Sequence[str], korean: Sequence[str]) -> list[str]:
    """English notebooks without a Korean one, and Korean ones without an English original.

    >>> missing_editions(["01_a.ipynb", "02_b.ipynb"], ["01_a.ipynb", "03_c.ipynb"])
    ['no Korean 02_b.ipynb', 'no English 03_c.ipynb']
    """
    return [f"no Korean {n}" for n in english if n not in korean] + [
        f"no English {n}" for n in korean if n not in english
    ]


# -- the committed notebooks ------------------------------------------------------------------------


def test_every_english_notebook_has_a_korean_edition() -> None:
    korean = sorted(p.name for p in KOREAN_DIR.glob("*.ipynb"))
    korean_sources = sorted(f"{p.stem}.ipynb" for p in (KOREAN_DIR / "src").glob("*.py"))
    assert not missing_editions(ENGLISH, korean), f"notebooks/ko: {missing_editions(ENGLISH, korean)}"
    missing_sources = missing_editions(ENGLISH, korean_sources)
    assert not missing_sources, f"notebooks/ko/src (as .ipynb names): {missing_sources}"


@pytest.mark.parametrize("name", ENGLISH)
def test_korean_notebook_is_the_english_one_translated(name: str) -> None:
    korean = KOREAN_DIR / name
    if not korean.exists():
        pytest.fail(f"notebooks/ko/{name} is missing")
    problems = edition_problems(_ipynb_cells(NOTEBOOK_DIR / name), _ipynb_cells(korean))
    assert not problems, f"ko/{name}: {FIX}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name", ENGLISH)
def test_korean_source_is_the_english_source_translated(name: str) -> None:
    """The py:percent sources too: an English source edited and synced to its .ipynb, with the Korean
    edition left behind, fails here even before anyone opens a notebook."""
    stem = Path(name).stem
    korean = KOREAN_DIR / "src" / f"{stem}.py"
    if not korean.exists():
        pytest.fail(f"notebooks/ko/src/{stem}.py is missing")
    problems = edition_problems(_jupytext_cells(NOTEBOOK_DIR / "src" / f"{stem}.py"), _jupytext_cells(korean))
    assert not problems, f"ko/src/{stem}.py: {FIX}:\n  " + "\n  ".join(problems)


# -- each rule, seen failing on a planted example ---------------------------------------------------

_ENGLISH = [("markdown", "# Module 1"), ("code", "ws = helpers.connect()"), ("markdown", "## Clean up")]
_KOREAN = [("markdown", "# 모듈 1"), ("code", "ws = helpers.connect()"), ("markdown", "## 정리")]


def test_a_faithful_translation_passes() -> None:
    assert edition_problems(_ENGLISH, _KOREAN) == []


def test_code_that_differs_from_the_english_cell() -> None:
    korean = [*_KOREAN[:1], ("code", "ws = helpers.connect(language='ko')"), *_KOREAN[2:]]
    assert edition_problems(_ENGLISH, korean) == ["cell 1: code differs from the English cell"]


def test_even_whitespace_in_code_counts() -> None:
    korean = [*_KOREAN[:1], ("code", "ws = helpers.connect() "), *_KOREAN[2:]]
    assert edition_problems(_ENGLISH, korean) == ["cell 1: code differs from the English cell"]


def test_cell_types_in_another_order() -> None:
    korean = [_KOREAN[0], _KOREAN[2], _KOREAN[1]]
    assert edition_problems(_ENGLISH, korean) == ["cell types differ (3 English cells, 3 Korean; first at cell 1)"]


def test_a_cell_left_out() -> None:
    assert edition_problems(_ENGLISH, _KOREAN[:2]) == ["cell types differ (3 English cells, 2 Korean; one ends early)"]


def test_markdown_left_in_english() -> None:
    korean = [*_KOREAN[:2], ("markdown", "## Clean up")]
    assert edition_problems(_ENGLISH, korean) == ["cell 2: markdown without Hangul: '## Clean up'"]


def test_a_missing_korean_notebook() -> None:
    assert missing_editions(["01_a.ipynb", "99_cleanup.ipynb"], ["01_a.ipynb"]) == ["no Korean 99_cleanup.ipynb"]


def test_sources_read_as_cells(tmp_path: Path) -> None:
    """The py:percent reading the source test relies on: a planted English/Korean pair of sources."""
    english = tmp_path / "en.py"
    korean = tmp_path / "ko.py"
    english.write_text("# %% [markdown]\n# # Module 1\n\n# %%\nx = 1\n")
    korean.write_text("# %% [markdown]\n# # 모듈 1\n\n# %%\nx = 2\n")
    assert _jupytext_cells(english) == [("markdown", "# Module 1"), ("code", "x = 1")]
    assert edition_problems(_jupytext_cells(english), _jupytext_cells(korean)) == [
        "cell 1: code differs from the English cell"
    ]
