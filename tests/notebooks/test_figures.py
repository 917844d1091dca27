"""Every figure, table and progress bar in the executed notebooks reads right (figure_rules.py's rules).

``make test-notebooks`` runs nbval with tests/notebooks/keep_outputs.py, which writes the executed
notebooks to build/executed/ (the Korean edition to build/executed/ko/), then this file with
``EXECUTED_NOTEBOOKS`` pointing there: in that mode a missing notebook fails. The Korean notebooks' figures
must also speak Korean (titles in Hangul). Without the variable (``pytest tests``), only the rules' own tests run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.notebooks import figure_rules as rules

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = sorted(str(p.relative_to(NOTEBOOK_DIR)) for p in NOTEBOOK_DIR.glob("[0-9]*.ipynb")) + sorted(
    str(p.relative_to(NOTEBOOK_DIR)) for p in NOTEBOOK_DIR.glob("ko/[0-9]*.ipynb")
)
EXECUTED = os.environ.get("EXECUTED_NOTEBOOKS")


def _figure(**layout: Any) -> dict[str, Any]:
    """A figure that passes every rule; tests break one thing in it."""
    times = ["2026-12-06T10:00:00", "2026-12-06T10:00:01", "2026-12-06T10:00:02"]
    base = {"title": {"text": "Requests per second"}, "xaxis": {"title": {"text": "time (UTC)"}}}
    base |= {"yaxis": {"title": {"text": "requests/s"}}}
    return {"data": [{"type": "scatter", "x": times, "y": [1, 2, 3]}], "layout": base | layout}


# -- the executed notebooks -------------------------------------------------------------------------


@pytest.mark.skipif(not EXECUTED, reason="EXECUTED_NOTEBOOKS not set: make test-notebooks sets it after nbval")
@pytest.mark.parametrize("name", EXPECTED)
def test_executed_notebook_reads_right(name: str) -> None:
    path = Path(str(EXECUTED)) / name
    assert path.exists(), f"{path} is missing: nbval with -p tests.notebooks.keep_outputs writes it"
    cells = nbformat.read(path, as_version=4).cells
    assert any(c.get("outputs") for c in cells), f"{path} has no outputs: it was not executed"
    problems = rules.notebook_problems(cells, korean=Path(name).parent.name == "ko")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


# -- each rule, seen failing on a planted example ---------------------------------------------------


def test_a_good_figure_passes() -> None:
    assert rules.figure_problems(_figure()) == []


def test_figure_without_a_title() -> None:
    assert rules.figure_problems(_figure(title={"text": ""})) == ["figure without a title"]


def test_axis_with_data_and_no_title() -> None:
    assert rules.figure_problems(_figure(yaxis={})) == ["axis yaxis carries data but has no title"]


def test_hidden_axes_and_named_categories_need_no_title() -> None:
    hidden = _figure(xaxis={"visible": False}, yaxis={"visible": False})
    bars = {"data": [{"type": "bar", "x": ["direct", "proxy"], "y": [3, 1]}], "layout": _figure()["layout"]}
    bars["layout"] = bars["layout"] | {"xaxis": {}}
    assert rules.figure_problems(hidden) == []
    assert rules.figure_problems(bars) == []


def test_shared_axis_takes_the_title_of_the_axis_it_matches() -> None:
    figure = _figure(xaxis={"matches": "x2"}, xaxis2={"title": {"text": "time (UTC)"}})
    assert rules.figure_problems(figure) == []
    figure["layout"]["xaxis2"] = {}
    assert "axis xaxis carries data but has no title" in rules.figure_problems(figure)


def test_histogram_count_axis_needs_a_title() -> None:
    figure = {"data": [{"type": "histogram", "x": [1.0, 2.0]}], "layout": _figure()["layout"] | {"yaxis": {}}}
    assert rules.figure_problems(figure) == ["axis yaxis carries data but has no title"]


def test_time_series_of_fewer_than_three_points() -> None:
    figure = _figure()
    figure["data"][0]["x"] = ["2026-12-06T10:00:00", "2026-12-06T10:00:05"]
    figure["data"][0]["y"] = [1, 2]
    assert rules.figure_problems(figure) == ["time series 'unnamed' has 2 point(s), fewer than 3"]


def test_date_axis_under_a_second() -> None:
    figure = _figure()
    figure["data"][0]["x"] = ["2026-12-06T10:00:00.000", "2026-12-06T10:00:00.001", "2026-12-06T10:00:00.002"]
    assert rules.figure_problems(figure) == ["date axis xaxis spans 2 ms, under a second"]


def test_typed_arrays_are_read() -> None:
    figure = _figure()
    figure["data"][0] = {"type": "scatter", "x": {"dtype": "i1", "bdata": "AQID"}, "y": [1, 2, 3]}
    assert rules.figure_problems(figure) == []
    figure["layout"]["xaxis"] = {}
    assert rules.figure_problems(figure) == ["axis xaxis carries data but has no title"]


def test_table_cells() -> None:
    html = '<table class="dataframe"><thead><tr><th>a</th></tr></thead><tbody><tr><td>{}</td></tr></tbody></table>'
    assert rules.table_problems(html.format("12")) == []
    assert rules.table_problems(html.format("0.0170")) == []
    assert rules.table_problems(html.format("None")) == ["table cell 'None' shows a missing value"]
    assert rules.table_problems(html.format("NaN")) == ["table cell 'NaN' shows a missing value"]
    assert rules.table_problems(html.format("0.017000")) == ["table cell '0.017000' has more than 4 decimals"]
    assert rules.table_problems(html.format("1.234567e-05")) == ["table cell '1.234567e-05' has more than 4 decimals"]


def test_bare_dollar_pair_in_html_and_markdown_outputs() -> None:
    html = {"output_type": "display_data", "data": {"text/html": "<p>from $0.017 to $0.034</p>"}}
    markdown = {"output_type": "display_data", "data": {"text/markdown": "costs $1 and $2"}}
    escaped = {"output_type": "display_data", "data": {"text/markdown": "costs \\$1 and `$2`, USD 3"}}
    assert rules.output_problems(html) == ["2 bare $ signs: MathJax typesets the text between them as math"]
    assert rules.output_problems(markdown) == ["2 bare $ signs: MathJax typesets the text between them as math"]
    assert rules.output_problems(escaped) == []


def test_progress_bar_left_at_zero() -> None:
    widget = {
        "output_type": "display_data",
        "data": {rules.WIDGET: {"model_id": "m"}, "text/plain": "DB instance available:   0%|          | 0/60 s"},
    }
    finished = {"output_type": "stream", "name": "stdout", "text": "wait:   0%|    | 0/3 s\rwait: 100%|####| 3/3 s\n"}
    stuck = {"output_type": "stream", "name": "stdout", "text": "wait: 100%|####| 3/3 s\nwait:   0%|    | 0/9 s\n"}
    assert rules.output_problems(widget) == ["progress bar left at 0 %: DB instance available:   0%|          | 0/60 s"]
    assert rules.output_problems(finished) == []
    assert rules.output_problems(stuck) == ["progress bar left at 0 %: wait:   0%|    | 0/9 s"]


def test_a_series_shown_as_text() -> None:
    series = {"output_type": "execute_result", "data": {"text/plain": "port      3306\nengine    mysql\ndtype: object"}}
    table = {"output_type": "execute_result", "data": {"text/plain": "   value\nport  3306", "text/html": "<table/>"}}
    assert rules.output_problems(series) == [
        "a pandas Series shown as text (it ends in dtype: object): show it as a table"
    ]
    assert rules.output_problems(table) == []


def test_notebook_problems_name_the_cell() -> None:
    cells = [
        {"cell_type": "markdown", "source": "# title"},
        {"cell_type": "code", "outputs": []},
        {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {rules.PLOTLY: _figure(title="")}}]},
    ]
    assert rules.notebook_problems(cells) == ["cell 1: figure without a title"]


def test_korean_figures_speak_korean() -> None:
    korean = _figure(title={"text": "초당 요청 수"}, xaxis={"title": {"text": "시간 (UTC)"}})
    korean["layout"]["yaxis"] = {"title": "요청/초"}
    assert rules.korean_figure_problems(korean) == []
    assert rules.korean_figure_problems(_figure()) == [
        "figure title without Hangul: 'Requests per second'",
        "axis xaxis title in English: 'time (UTC)'",
        "axis yaxis title in English: 'requests/s'",
    ]
    units = _figure(title={"text": "지연 시간"}, xaxis={"title": "ms"}, yaxis={"title": "USD"})
    assert rules.korean_figure_problems(units) == []


def test_korean_rule_applies_to_korean_notebooks_only() -> None:
    cells = [{"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {rules.PLOTLY: _figure()}}]}]
    assert rules.notebook_problems(cells) == []
    found = rules.notebook_problems(cells, korean=True)
    assert found[0] == "cell 0: figure title without Hangul: 'Requests per second'"
