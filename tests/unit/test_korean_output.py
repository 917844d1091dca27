"""What a Korean learner reads is Korean: the values tables show (outcomes, churn steps, mail kinds, booleans,
resource kinds), the price book's source, the errors the helpers raise and the cleanup CLI's help; and no
notebook code cell shows a pandas table without ``views.tables.readable``. The English edition reads as before."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import jupytext
import pandas as pd
import pytest
from botocore.stub import Stubber

from helpers.measure import capacity, churn, prices, traces
from helpers.modules import m3_secrets_and_proxy as m3
from helpers.text import using
from helpers.views.latency import latency_box_figure
from helpers.views.tables import names_table, readable

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile("[\uac00-\ud7a3]")
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")


def _outcome_table() -> pd.DataFrame:
    """Notebook 03's table of outcomes per path (the paths are catalog texts already)."""
    bodies = ['{"statusCode": 200}', "(1226, \"User 'app' has exceeded max_user_connections\")", float("nan")]
    runs = pd.DataFrame({"path": ["direct", "direct", "proxy"], "body": bodies})
    runs["outcome"] = runs["body"].map(m3.outcome)
    return runs.groupby(["path", "outcome"]).size().unstack(fill_value=0)


def _churn_table() -> pd.DataFrame:
    """Notebook 03's medians of the churn function's timings, per path and step."""
    cost = churn.cost_frame({"direct": {"connect_ms": [4.0, 6.0], "query_ms": [0.2, 0.3]}})
    return cost.groupby(["path", "step"])["ms"].median().unstack()


def _headers(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns] + [str(frame.columns.name), *map(str, frame.index.names)]


def test_outcomes_and_churn_steps_are_shown_in_korean_and_kept_in_english() -> None:
    outcomes, steps = _outcome_table(), _churn_table()
    with using("ko"):
        shown_outcomes, shown_steps = readable(outcomes), readable(steps)
    assert _headers(shown_outcomes) == ["기타 오류", "거부됨: 연결 수 초과", "성공", "결과", "경로"]
    assert _headers(shown_steps) == ["연결 열기(로그인)", "열린 연결에서 쿼리", "단계", "경로"]
    # the data keep the values code compares, and the notebook reads them by the same names
    assert list(outcomes.columns) == ["other error", "refused: too many connections", "succeeded"]
    assert steps.loc["direct", churn.CONNECT] == 5.0
    with using("en"):
        english = readable(steps)
    assert _headers(english) == ["open a connection (log in)", "query on an open connection", "step", "path"]


def test_values_and_resource_kinds_in_table_cells_are_korean() -> None:
    frame = pd.DataFrame({"kind": ["confirmation", "notification"], "cold": [True, False]})
    with using("ko"):
        cells = readable(frame).values.tolist()
        kinds = names_table({"topic": "sas-uploads", "subnet_group": "sas-db-subnets"}).iloc[:, 0].tolist()
        index = readable(pd.DataFrame({"calls": [3]}, index=pd.Index(["succeeded"], name="outcome")))
    assert cells == [["구독 확인", "예"], ["알림", "아니요"]]
    assert kinds == ["SNS 주제", "DB 서브넷 그룹"]
    assert list(index.index) == ["성공"] and index.index.name == "결과" and list(index.columns) == ["호출 수"]
    with using("en"):
        assert readable(frame).values.tolist() == [["confirmation", "True"], ["notification", "False"]]
        assert names_table({"topic": "sas-uploads"}).iloc[0, 0] == "topic"


def test_trace_rows_and_service_nodes_are_named_in_korean() -> None:
    document = {"id": "a", "name": "sas-db-time", "start_time": 1.0, "end_time": 1.5, "origin": "",
                "subsegments": [{"id": "b", "name": "Overhead", "start_time": 1.4, "end_time": 1.5}]}  # fmt: skip
    trace = {"Id": "1-x", "Segments": [{"Document": json.dumps(document)}]}
    nodes = pd.DataFrame({"name": ["client"], "type": ["client"]})
    with using("ko"):
        labels = traces.segments_frame(trace)["label"].tolist()
        per_segment = readable(pd.DataFrame({"count": [3]}, index=pd.Index(["Overhead"], name="segment")))
        shown_nodes = readable(nodes).values.tolist()
        box = latency_box_figure(pd.DataFrame({"version": ["v2"], "duration_ms": [1.0]}), group="version",
                                 value="duration_ms", title="t", y_title="y")  # fmt: skip
    assert labels == ["sas-db-time [세그먼트]", "· Overhead [하위 세그먼트]"]
    assert per_segment.index.name == "세그먼트" and shown_nodes == [["클라이언트", "클라이언트"]]
    assert box.data[0].hovertemplate.startswith("버전=%{x}<br>실행 시간 (ms)=%{y}")
    with using("en"):
        assert traces.segments_frame(trace)["label"].tolist()[1] == "· Overhead [subsegment]"


def test_the_price_books_source_and_notes_follow_the_language() -> None:
    with using("ko"):
        seoul = prices.snapshot("ap-northeast-2")
        client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        with Stubber(client) as stub:
            stub.add_client_error("get_products", service_error_code="AccessDeniedException", http_status_code=400)
            refused = prices.live_book("ap-northeast-2", client)
        nowhere = prices.snapshot("xx-nowhere-1")
    assert seoul.source == "2026-12-06 기준 스냅샷"
    assert HANGUL.search(refused.note) and "AccessDeniedException" in refused.note
    assert HANGUL.search(nowhere.source)
    with using("en"):
        assert prices.snapshot("us-east-1").source == "snapshot of 2026-11-25"


def test_a_learners_error_is_raised_in_korean() -> None:
    with using("ko"), pytest.raises(ValueError, match=HANGUL.pattern):
        capacity.capacity_plan(requests_per_s=10, duration_ms=50, memory_mb=128, headroom=0.5)
    with using("en"), pytest.raises(ValueError, match="headroom must be >= 1"):
        capacity.capacity_plan(requests_per_s=10, duration_ms=50, memory_mb=128, headroom=0.5)


# Raised with English on purpose: the language itself is what is wrong, or a caller's programming error.
NOT_A_LEARNERS_ERROR = {("helpers/text/language.py", "ValueError"), ("helpers/aws/waiting.py", "ValueError")}


def english_raises(source: str) -> Iterator[str]:
    """``raise SomeError("an English sentence")`` (or an f-string with words) in ``source``: a message that
    does not come from the catalog.

    >>> list(english_raises('raise ValueError("count must be >= 1")\\nraise ValueError(say("k"))'))
    ['line 1: ValueError']
    """
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
            continue
        message = node.exc.args[0]
        parts = [message] if isinstance(message, ast.Constant) else getattr(message, "values", [])
        words = " ".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
        if ENGLISH_WORD.search(words):
            yield f"line {node.lineno}: {ast.unparse(node.exc.func)}"


def test_helpers_raise_no_english_sentence_a_learner_would_read() -> None:
    found = [
        f"{path.relative_to(ROOT)} {problem}"
        for path in sorted((ROOT / "helpers").rglob("*.py"))
        for problem in english_raises(path.read_text())
        if (str(path.relative_to(ROOT)), problem.rsplit(": ", 1)[1]) not in NOT_A_LEARNERS_ERROR
    ]
    assert found == [], "raise SomeError(say('<key>', ...)) with the message in helpers/text/en.py and ko.py"


def _cleanup_help(language: str) -> str:
    env = {**os.environ, "WORKSHOP_LANGUAGE": language}
    done = subprocess.run(
        [sys.executable, "-m", "helpers.cleanup", "--help"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


def test_the_cleanup_cli_helps_in_korean() -> None:
    korean = _cleanup_help("ko")
    assert korean.startswith("사용법: python -m helpers.cleanup")
    assert "옵션:" in korean and "--dry-run" in korean and "--yes" in korean
    assert [line for line in korean.splitlines() if ENGLISH_WORD.search(line.replace("helpers.cleanup", ""))
            and not HANGUL.search(line)] == []  # fmt: skip
    english = _cleanup_help("en")
    assert english.startswith("usage: python -m helpers.cleanup") and "show this help message and exit" in english


# Methods whose result is a pandas table shown raw when a cell ends with it (or displays it).
FRAME_METHODS = {"round", "unstack", "agg", "fillna", "head", "tail", "pivot_table", "reset_index"}


def raw_tables(source: str) -> list[str]:
    """A code cell's last expression, or a ``display(...)`` argument, that is a pandas table made in the cell
    and not passed through ``views.tables.readable`` (its headers would be the data's English names).

    >>> raw_tables("frame[['a', 'b']].round(2)"), raw_tables("views.tables.readable(frame.round(2))")
    (["frame[['a', 'b']].round(2)"], [])
    >>> raw_tables("display(frame.groupby('x').agg(n=('y', 'size')))")
    ["frame.groupby('x').agg(n=('y', 'size'))"]
    """
    tree = ast.parse(source)
    shown = [tree.body[-1].value] if tree.body and isinstance(tree.body[-1], ast.Expr) else []
    shown += [c.args[0] for c in ast.walk(tree) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
              and c.func.id == "display" and c.args]  # fmt: skip
    found = []
    for expression in shown:
        raw = isinstance(expression, ast.Subscript) and isinstance(expression.slice, ast.List)
        raw |= (
            isinstance(expression, ast.Call)
            and isinstance(expression.func, ast.Attribute)
            and (expression.func.attr in FRAME_METHODS)
        )
        if raw:
            found.append(ast.unparse(expression))
    return found


@pytest.mark.parametrize("source", sorted((ROOT / "notebooks" / "src").glob("*.py")), ids=lambda p: p.stem)
def test_notebooks_show_tables_through_readable(source: Path) -> None:
    found = []
    for index, cell in enumerate(jupytext.read(source).cells):
        if cell.cell_type == "code":
            code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())
            found += [f"cell {index}: {raw[:80]}" for raw in raw_tables(code)]
    assert found == [], "show a pandas table through views.tables.readable(...): its headers follow the language"


def test_the_cleanup_prices_what_it_finds_as_the_editions_price_tables_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Korean edition's tables price Seoul on pocketcloud; so does its clean-up (not us-east-1's snapshot)."""
    from helpers.aws.inventory import Resource
    from helpers.modules import m99_cleanup
    from helpers.session import Workshop

    found = [Resource("rds:db-instance", "sas-db", "db.t3.micro"), Resource("rds:db-proxy", "sas-proxy", "")]
    monkeypatch.setattr(m99_cleanup, "find_resources", lambda client, prefix: found)  # the listing is not tested here
    with using("ko"):
        korean = m99_cleanup.inventory(Workshop("local", "us-east-1", "123456789012", language="ko"))
    assert korean["usd_per_hour"].tolist() == [0.026, 0.036]  # Seoul: db.t3.micro 0.026, proxy 2 x 0.018
    with using("en"):
        english = m99_cleanup.inventory(Workshop("local", "us-east-1", "123456789012", language="en"))
    assert english["usd_per_hour"].tolist() == [0.017, 0.03]


def test_the_load_tests_progress_bar_reads_korean(tmp_path: Path) -> None:
    from helpers.measure.loadtest import _latest_rate

    history = "Name,Requests/s,Total Failure Count\nAggregated,14.6,10\n"
    (tmp_path / "run_stats_history.csv").write_text(history)
    with using("ko"):
        korean = _latest_rate(tmp_path / "run")
    with using("en"):
        english = _latest_rate(tmp_path / "run")
    assert HANGUL.search(korean) and "15" in korean and "10" in korean, korean
    assert english == "15 calls/s, 10 failed"
