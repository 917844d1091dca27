"""The message catalogs (helpers/text): the same keys and placeholders in every language, Korean text that is
Korean, keys that exist where helpers and notebooks use them, no literal sentence in a notebook's checkpoint,
and the language chosen as designed (argument, WORKSHOP_LANGUAGE, JPY_SESSION_NAME, the kernel's folder)."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path

import jupytext
import pytest

from helpers import text
from helpers.session import Workshop
from helpers.text import CATALOGS, detect_language, say, using

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))
HELPER_SOURCES = sorted((ROOT / "helpers").rglob("*.py"))
HANGUL = re.compile("[\uac00-\ud7a3]")
# Messages that read the same in Korean: names of services and units, which Korean AWS documentation keeps.
SAME_IN_KOREAN = {
    "session.checkpoint_passed", "views.tables.api_gateway", "m3.removed_proxy", "m3.table.db_instance_value",
    "m3.row.api", "views.tables.kind.api",
}  # fmt: skip


def placeholders(template: str) -> set[str]:
    """The names a template needs: ``{n:,}`` needs ``n``.

    >>> sorted(placeholders("{n:,} calls in {seconds:.1f} s, {{literal}}"))
    ['n', 'seconds']
    """
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field}


def catalog_problems(catalogs: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Keys missing from a catalog, and keys whose placeholders differ between catalogs."""
    problems = []
    every_key = set().union(*catalogs.values())
    for name, catalog in catalogs.items():
        problems += [f"{key}: not in {name}" for key in sorted(every_key - set(catalog))]
    english = catalogs["en"]
    for name, catalog in catalogs.items():
        for key in sorted(set(catalog) & set(english)):
            if placeholders(catalog[key]) != placeholders(english[key]):
                problems.append(f"{key}: {name} needs {sorted(placeholders(catalog[key]))}, "
                                f"en {sorted(placeholders(english[key]))}")  # fmt: skip
    return problems


def untranslated(english: Mapping[str, str], korean: Mapping[str, str]) -> list[str]:
    """Korean messages without Hangul where the English one has words (a key left in English)."""
    worded = re.compile(r"[A-Za-z]{3,}")
    fields = re.compile(r"\{[^{}]*\}")  # a placeholder's name is no English word of the message
    return sorted(
        key for key, template in korean.items()
        if key not in SAME_IN_KOREAN and worded.search(fields.sub("", english.get(key, "")))
        and not HANGUL.search(template)
    )  # fmt: skip


def _code_cells(path: Path) -> Iterator[tuple[int, ast.Module]]:
    for index, cell in enumerate(jupytext.read(path).cells):
        if cell.cell_type == "code":
            lines = cell.source.splitlines()
            source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)
            yield index, ast.parse(source)


def _calls(tree: ast.AST, method: str) -> Iterator[ast.Call]:
    """Calls of ``ws.<method>(...)``, ``<anything>.<method>(...)`` and ``<method>(...)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == method:
                yield node


def literal_checkpoints(tree: ast.AST, keys: set[str]) -> list[str]:
    """``ws.check`` calls whose message is not a catalog key (a sentence, an f-string, an expression)."""
    found = []
    for call in _calls(tree, "check"):
        if len(call.args) < 2:
            continue
        message = call.args[1]
        if not (isinstance(message, ast.Constant) and isinstance(message.value, str) and message.value in keys):
            found.append(f"line {call.lineno}: {ast.unparse(message)[:70]}")
    return found


def unknown_keys(tree: ast.AST, catalog: Mapping[str, str]) -> list[str]:
    """``say``/``check`` calls naming a key-like literal the catalog lacks, or leaving out one of its values."""
    found = []
    for method, position in (("say", 0), ("check", 1)):
        for call in _calls(tree, method):
            if len(call.args) <= position or not isinstance(call.args[position], ast.Constant):
                continue
            key = call.args[position].value
            if not isinstance(key, str) or " " in key or "." not in key:
                continue  # a plain sentence (still accepted by check): literal_checkpoints judges notebooks
            if key not in catalog:
                found.append(f"line {call.lineno}: no key {key}")
                continue
            given = {k.arg for k in call.keywords}
            if None not in given and placeholders(catalog[key]) - given:  # None: **values, not checkable here
                found.append(f"line {call.lineno}: {key} lacks {sorted(placeholders(catalog[key]) - given)}")
    return found


# -- the catalogs -----------------------------------------------------------------------------------


def test_every_key_is_in_every_catalog_with_the_same_placeholders() -> None:
    assert set(CATALOGS) == {"en", "ko"}
    assert catalog_problems(CATALOGS) == []


def test_the_korean_catalog_is_korean() -> None:
    assert untranslated(CATALOGS["en"], CATALOGS["ko"]) == []


def test_helpers_name_keys_that_exist_with_all_their_values() -> None:
    problems = [f"{p.relative_to(ROOT)} {problem}" for p in HELPER_SOURCES
                for problem in unknown_keys(ast.parse(p.read_text()), CATALOGS["en"])]  # fmt: skip
    assert problems == []


@pytest.mark.parametrize("source", ENGLISH_SOURCES, ids=lambda p: p.stem)
def test_notebook_checkpoints_pass_keys_not_sentences(source: Path) -> None:
    keys = set(CATALOGS["en"])
    problems = [
        f"cell {index} {problem}"
        for index, tree in _code_cells(source)
        for problem in literal_checkpoints(tree, keys) + unknown_keys(tree, CATALOGS["en"])
    ]
    assert problems == [], "ws.check(condition, 'key', **values) with a key of helpers/text/en.py"


def test_the_checks_find_what_they_look_for() -> None:
    planted = {"en": {"a.b": "{n} calls", "a.c": "x"}, "ko": {"a.b": "{count}회 호출"}}
    assert catalog_problems(planted) == ["a.c: not in ko", "a.b: ko needs ['count'], en ['n']"]
    assert untranslated({"a.b": "the calls"}, {"a.b": "the calls"}) == ["a.b"]
    assert untranslated({"a.b": "the calls"}, {"a.b": "호출"}) == []
    assert untranslated({"a.b": "{metric} ({unit})"}, {"a.b": "{metric}({unit})"}) == []
    cell = ast.parse('ws.check(ok, "the API answers")\nws.check(ok, f"{n} calls")\nws.check(ok, "a.b", n=1)\n'
                     'ws.say("a.b")\nws.check(ok, "a.zz")')  # fmt: skip
    assert literal_checkpoints(cell, {"a.b"}) == ["line 1: 'the API answers'", "line 2: f'{n} calls'", "line 5: 'a.zz'"]
    assert unknown_keys(cell, planted["en"]) == ["line 4: a.b lacks ['n']", "line 5: no key a.zz"]


# -- saying -----------------------------------------------------------------------------------------


def test_say_speaks_the_chosen_language_and_passes_sentences_through() -> None:
    with using("ko"):
        assert say("session.checkpoint_failed", message="x") == "체크포인트 실패: x"
        assert HANGUL.search(Workshop("aws", "ap-northeast-2", "123456789012").banner())
    with using("en"):
        assert say("session.checkpoint_failed", message="x") == "Checkpoint failed: x"
    assert say("a plain sentence, {not a field}") == "a plain sentence, {not a field}"


def test_a_checkpoint_says_its_key_in_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workshop("local", "us-east-1", "1", "http://127.0.0.1:1")
    with using("ko"):
        ws.check(True, "session.where_local", endpoint="e")
        with pytest.raises(AssertionError, match="체크포인트 실패: pocketcloud\\(주소 e\\)"):
            ws.check(False, "session.where_local", endpoint="e")
    ws.check(True, "an old-style sentence")
    assert capsys.readouterr().out == "✔ pocketcloud(주소 e)\n✔ an old-style sentence\n"


# -- choosing the language --------------------------------------------------------------------------


def test_the_argument_wins_over_everything() -> None:
    environ = {"WORKSHOP_LANGUAGE": "en", "JPY_SESSION_NAME": "notebooks/01_first_lambda.ipynb"}
    assert detect_language("ko", environ=environ, cwd="/x/notebooks") == "ko"
    assert detect_language(" EN ", environ={"WORKSHOP_LANGUAGE": "ko"}, cwd="/x/notebooks/ko") == "en"
    with pytest.raises(ValueError, match="connect"):
        detect_language("fr", environ={})


def test_the_environment_comes_next() -> None:
    in_korean_notebook = {"JPY_SESSION_NAME": "notebooks/ko/01_first_lambda.ipynb"}
    assert detect_language(environ={**in_korean_notebook, "WORKSHOP_LANGUAGE": "en"}, cwd="/x/ko") == "en"
    assert detect_language(environ={"WORKSHOP_LANGUAGE": "ko"}, cwd="/x/notebooks") == "ko"
    with pytest.raises(ValueError, match="WORKSHOP_LANGUAGE"):
        detect_language(environ={"WORKSHOP_LANGUAGE": "korean"})


def test_then_the_notebook_jupyterlab_runs() -> None:
    def chosen(path: str, cwd: str = "/x") -> str:
        return detect_language(environ={"JPY_SESSION_NAME": path}, cwd=cwd)

    assert chosen("notebooks/ko/03_secrets_and_proxy.ipynb") == "ko"
    assert chosen("/home/learner/lab/ko/01_first_lambda.ipynb") == "ko"
    assert chosen("notebooks/01_first_lambda.ipynb", cwd="/x/notebooks/ko") == "en", "the notebook decides"
    assert chosen("notebooks/kor/01_first_lambda.ipynb") == "en", "a folder named ko, not a prefix"
    assert chosen("Console 1", cwd="/x/notebooks/ko") == "ko", "no notebook: the folder decides"


def test_then_the_kernels_folder_else_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notebooks" / "ko").mkdir(parents=True)
    assert detect_language(environ={}, cwd=tmp_path / "notebooks" / "ko") == "ko"
    assert detect_language(environ={}, cwd=tmp_path / "notebooks") == "en"
    for name in ("WORKSHOP_LANGUAGE", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path / "notebooks" / "ko")
    assert detect_language() == "ko", "the real working folder"
    monkeypatch.setattr(text, "_chosen", None)
    assert text.language() == "ko" and Workshop("local", "us-east-1", "1").language == "ko"
    assert text.set_language("en") == "en" and text.language() == "en"
    monkeypatch.setattr(text, "_chosen", None)
