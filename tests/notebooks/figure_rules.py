"""Rules for what an executed notebook shows: plotly figures, pandas tables, markdown/HTML text, progress bars.

Each ``*_problems`` function takes one output's payload and returns what a learner would read wrong in it,
as short sentences; :func:`notebook_problems` runs them over every output of a notebook (NOTEBOOK_GUIDE.md,
"Figures and tables that read at a glance").

>>> figure_problems({"data": [{"type": "scatter", "x": [1, 2], "y": [3, 4]}], "layout": {}})
['figure without a title', 'axis xaxis carries data but has no title', 'axis yaxis carries data but has no title']
>>> table_problems('<table class="dataframe"><tr><td>0.123456</td><td>NaN</td></tr></table>')
["table cell '0.123456' has more than 4 decimals", "table cell 'NaN' shows a missing value"]
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

PLOTLY = "application/vnd.plotly.v1+json"
WIDGET = "application/vnd.jupyter.widget-view+json"
MISSING = {"None", "NaN", "nan", "NaT", "<NA>", "null"}
# A time series needs this many points to show a shape; a date axis at least this span (seconds).
MIN_SERIES_POINTS = 3
MIN_DATE_SPAN_S = 1.0
MAX_DECIMALS = 4
# Traces drawn on x/y axes; others (pie, table, indicator) have none.
CARTESIAN = {"scatter", "scattergl", "bar", "box", "violin", "histogram", "strip", "heatmap", "funnel"}
_DECIMALS = re.compile(r"^[-+]?\d[\d,]*\.(\d+)(?:e[-+]?\d+)?%?$", re.IGNORECASE)
_NUMPY_DTYPES = {"f8": "d", "f4": "f", "i1": "b", "u1": "B", "i2": "h", "u2": "H", "i4": "i", "u4": "I"}
_NUMPY_DTYPES |= {"i8": "q", "u8": "Q"}


# -- figures ------------------------------------------------------------------------------------------


def values(array: Any) -> list[Any]:
    """A trace's data array as a list, decoding plotly's typed arrays (``{"dtype", "bdata"}``).

    >>> values({"dtype": "i1", "bdata": "AQID"})
    [1, 2, 3]
    >>> values(None), values([1, None])
    ([], [1, None])
    """
    import struct

    if array is None:
        return []
    if isinstance(array, dict) and "bdata" in array:
        code = _NUMPY_DTYPES[array["dtype"]]
        raw = base64.b64decode(array["bdata"])
        return list(struct.unpack(f"<{len(raw) // struct.calcsize(code)}{code}", raw))
    if isinstance(array, (list, tuple)):
        return list(array)
    return [array]


def _title(node: Any) -> str:
    if isinstance(node, dict):
        node = node.get("title")
    if isinstance(node, dict):
        node = node.get("text")
    return str(node or "").strip()


def as_date(value: Any) -> datetime | None:
    """A plotly date value (ISO text) as a datetime, or None for anything else.

    >>> as_date("2026-12-06T10:00:00.5+00:00").second, as_date("2026-12-06 10:00:01").second, as_date(3)
    (0, 1, None)
    """
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _is_category(items: Sequence[Any]) -> bool:
    present = [v for v in items if v is not None]
    return bool(present) and all(isinstance(v, str) and as_date(v) is None for v in present)


def _layout_key(ref: str) -> str:
    """The layout key of an axis reference: ``x`` -> ``xaxis``, ``y2`` -> ``yaxis2``."""
    return f"{ref[0]}axis{ref[1:]}"


def _axis_key(trace: dict[str, Any], letter: str) -> str:
    return _layout_key(str(trace.get(f"{letter}axis") or letter))


def _used_axes(trace: dict[str, Any]) -> dict[str, list[Any]]:
    """The axes a trace draws data on, with the values it puts there (a histogram's count axis: [0])."""
    used: dict[str, list[Any]] = {}
    for letter in ("x", "y"):
        items = values(trace.get(letter))
        if items:
            used[_axis_key(trace, letter)] = items
    if trace.get("type") == "histogram" and used:
        for letter in ("x", "y"):
            used.setdefault(_axis_key(trace, letter), [0])
    return used


def figure_problems(figure: dict[str, Any]) -> list[str]:
    """A plotly figure's problems: no title, an untitled axis with data, too short a series or date span.

    Hidden axes (diagrams) and axes of named categories need no title; an axis that ``matches`` a titled
    one (the upper panels of shared-x subplots) shares its title.

    >>> shared = {"xaxis": {"matches": "x2"}, "xaxis2": {"title": {"text": "time (UTC)"}}, "title": "t"}
    >>> figure_problems({"data": [{"x": [1, 2], "y": ["a", "b"], "type": "bar"}], "layout": shared})
    []
    """
    layout = figure.get("layout") or {}
    data = [t for t in figure.get("data") or [] if t.get("type", "scatter") in CARTESIAN]
    problems = [] if _title(layout) else ["figure without a title"]
    on_axis: dict[str, list[Any]] = {}
    for trace in data:
        for axis, items in _used_axes(trace).items():
            on_axis.setdefault(axis, []).extend(items)
        problems += _series_problems(trace, layout)
    for axis, items in sorted(on_axis.items()):
        spec = layout.get(axis) or {}
        if spec.get("visible") is False or _is_category(items) or spec.get("type") == "category":
            continue
        if spec.get("tickmode") == "array" and spec.get("ticktext"):
            continue  # rows named by their tick labels (a timeline's segments)
        matched = str(spec.get("matches") or "")
        if not (_title(spec) or (matched and _title(layout.get(_layout_key(matched))))):
            problems.append(f"axis {axis} carries data but has no title")
        dates = [d for d in (as_date(v) for v in items) if d is not None]
        if len(dates) >= 2 or spec.get("type") == "date":
            span = _date_span(dates, spec)
            if span is not None and span < MIN_DATE_SPAN_S:
                problems.append(f"date axis {axis} spans {span * 1000:.0f} ms, under a second")
    return problems


# What a Korean figure's text must hold (Hangul), and what marks text left in English: a lowercase word of 3+
# letters ("time (UTC)", "requests/s"); units and names ("ms", "USD", "GB-s", "p99") are the same in both.
_HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_ENGLISH_WORD = re.compile(r"[a-z]{3,}")


def korean_figure_problems(figure: dict[str, Any]) -> list[str]:
    """A figure of the Korean edition whose title has no Hangul, or whose axis title reads as English.

    >>> layout = {"title": "요청/초", "xaxis": {"title": "시간 (UTC)"}, "yaxis": {"title": "ms"}}
    >>> korean_figure_problems({"layout": layout})
    []
    >>> korean_figure_problems({"layout": {"title": "Requests per second", "yaxis": {"title": "requests/s"}}})
    ["figure title without Hangul: 'Requests per second'", "axis yaxis title in English: 'requests/s'"]
    """
    layout = figure.get("layout") or {}
    title = _title(layout)
    problems = [] if not title or _HANGUL.search(title) else [f"figure title without Hangul: {title!r}"]
    for key, spec in sorted(layout.items()):
        axis_title = _title(spec) if re.fullmatch(r"[xy]axis\d*", key) else ""
        if axis_title and not _HANGUL.search(axis_title) and _ENGLISH_WORD.search(axis_title):
            problems.append(f"axis {key} title in English: {axis_title!r}")
    return problems


def _date_span(dates: list[datetime], spec: dict[str, Any]) -> float | None:
    bounds = [d for d in (as_date(v) for v in spec.get("range") or []) if d is not None]
    if len(bounds) == 2:
        return abs((bounds[1] - bounds[0]).total_seconds())
    if not dates:
        return None
    naive = [d.replace(tzinfo=None) for d in dates]
    return (max(naive) - min(naive)).total_seconds()


def _series_problems(trace: dict[str, Any], layout: dict[str, Any]) -> list[str]:
    """A line or marker trace over time (dates on x, or a date x axis) needs a few points to show a shape."""
    if trace.get("type", "scatter") not in {"scatter", "scattergl"}:
        return []
    xs = values(trace.get("x"))
    axis = layout.get(_axis_key(trace, "x")) or {}
    over_time = axis.get("type") == "date" or (xs and all(as_date(v) is not None for v in xs if v is not None))
    if not over_time or not xs:
        return []
    points = sum(1 for x, y in zip(xs, values(trace.get("y")), strict=False) if x is not None and y is not None)
    if points < MIN_SERIES_POINTS:
        name = trace.get("name") or "unnamed"
        return [f"time series {name!r} has {points} point(s), fewer than {MIN_SERIES_POINTS}"]
    return []


# -- tables and text ----------------------------------------------------------------------------------


class _Cells(HTMLParser):
    """The text of every body cell (``td``) of the pandas tables in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._open is not None:
            self.cells.append("".join(self._open).strip())
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def table_problems(html: str) -> list[str]:
    """Cells of a pandas HTML table that show a missing value or a number with more than 4 decimals."""
    if "<table" not in html:
        return []
    parser = _Cells()
    parser.feed(html)
    problems = []
    for cell in parser.cells:
        decimals = _DECIMALS.match(cell)
        if decimals and len(decimals.group(1)) > MAX_DECIMALS:
            problems.append(f"table cell {cell!r} has more than {MAX_DECIMALS} decimals")
        if cell in MISSING:
            problems.append(f"table cell {cell!r} shows a missing value")
    return problems


_UNTYPESET = re.compile(r"<(script|style|pre|code)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_MARKDOWN_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def dollar_problems(text: str, *, markdown: bool) -> list[str]:
    """Two bare ``$`` in HTML or markdown output: MathJax typesets the text between them as math.

    Code (``<pre>``, ``<code>``, backticks) and scripts are not typeset; ``\\$`` and ``&#36;`` are escaped.

    >>> dollar_problems("costs $1 and $2", markdown=True)
    ['2 bare $ signs: MathJax typesets the text between them as math']
    >>> dollar_problems("costs \\\\$1 and `$2`", markdown=True), dollar_problems("<script>$ $</script>", markdown=False)
    ([], [])
    """
    text = _UNTYPESET.sub("", text)
    if markdown:
        text = _MARKDOWN_CODE.sub("", text)
    bare = len(re.findall(r"(?<!\\)\$", text))
    return [f"{bare} bare $ signs: MathJax typesets the text between them as math"] if bare >= 2 else []


_BAR_AT_ZERO = re.compile(r"(?:^|\s)0%\|")


def progress_problems(text: str) -> list[str]:
    """A progress bar whose last state reads 0 % (tqdm's text bar, or a widget's saved text form).

    >>> progress_problems("wait:   0%|          | 0/3 s"), progress_problems("wait: 100%|##########| 3/3 s")
    (['progress bar left at 0 %: wait:   0%|          | 0/3 s'], [])
    """
    problems = []
    for line in text.split("\n"):  # not splitlines(), which splits at carriage returns too
        last = line.rsplit("\r", 1)[-1]  # what a terminal or notebook shows after the carriage returns
        if _BAR_AT_ZERO.search(last):
            problems.append(f"progress bar left at 0 %: {last.strip()}")
    return problems


# -- whole notebooks ----------------------------------------------------------------------------------


_SERIES_FOOTER = re.compile(r"(?:^|\n)(?:Name: .*, )?dtype: \w+\s*$")


def series_problems(text: str) -> list[str]:
    r"""A result shown as plain text with pandas' ``dtype:`` footer: a Series, which has no table form.

    >>> series_problems("port    3306\nengine  mysql\ndtype: object"), series_problems("3306")
    (['a pandas Series shown as text (it ends in dtype: object): show it as a table'], [])
    """
    footer = _SERIES_FOOTER.search(text)
    if footer is None:
        return []
    return [f"a pandas Series shown as text (it ends in {footer.group(0).strip()}): show it as a table"]


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def output_problems(output: dict[str, Any], *, korean: bool = False) -> list[str]:
    """Every rule above applied to one cell output (``korean``: of the Korean edition, whose figures speak Korean)."""
    kind = output.get("output_type")
    if kind == "stream":
        return progress_problems(_text(output.get("text")))
    data = output.get("data") or {}
    problems: list[str] = []
    if PLOTLY in data:
        problems += figure_problems(data[PLOTLY])
        problems += korean_figure_problems(data[PLOTLY]) if korean else []
    elif "text/html" in data:  # a figure's HTML form repeats its JSON; read the figure once
        html = _text(data["text/html"])
        problems += table_problems(html) + dollar_problems(html, markdown=False)
    if "text/markdown" in data:
        problems += dollar_problems(_text(data["text/markdown"]), markdown=True)
    if kind == "execute_result" and set(data) == {"text/plain"}:
        problems += series_problems(_text(data["text/plain"]))
    if WIDGET in data:  # without saved widget state, the saved text is all an exported copy shows
        problems += progress_problems(_text(data.get("text/plain")))
    return problems


def notebook_problems(cells: Iterable[dict[str, Any]], *, korean: bool = False) -> list[str]:
    """Each problem of an executed notebook's outputs, prefixed with its code cell's number."""
    found = []
    code_cells = (c for c in cells if c.get("cell_type") == "code")
    for number, cell in enumerate(code_cells):
        for output in cell.get("outputs") or []:
            found += [f"cell {number}: {problem}" for problem in output_problems(output, korean=korean)]
    return found
