"""Figures of CloudWatch metrics: one panel per metric on a shared time axis, and grouped bars.

>>> axis_title("ConcurrentExecutions", "Maximum", "Count")
'Concurrent Executions, maximum (count)'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..text import is_key, say


def _unit_label(unit: str) -> str:
    return say(f"views.metrics.unit.{unit}") if is_key(f"views.metrics.unit.{unit}") else unit


def _stat_label(stat: str) -> str:
    return say(f"views.metrics.stat.{stat}") if is_key(f"views.metrics.stat.{stat}") else stat.lower()


def column_label(column: str) -> str:
    """A data column's name as an axis or legend shows it, in the session's language.

    >>> column_label("outcome"), column_label("latency_ms")
    ('outcome', 'latency ms')
    """
    key = f"views.metrics.column.{column}"
    return say(key) if is_key(key) else column.replace("_", " ")


def outcome_label(outcome: str) -> str:
    """An outcome's name as the legend shows it, in the session's language (the data keep the English one).

    >>> outcome_label("throttled"), outcome_label("timed out")
    ('throttled', 'timed out')
    """
    key = _OUTCOME_KEYS.get(outcome)
    return say(key) if key else outcome


def axis_title(metric: str, stat: str, unit: str) -> str:
    """A y-axis title that says what was aggregated and in which unit, e.g. ``Duration, average (ms)``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", metric)
    return say("views.metrics.axis_title", metric=words, stat=_stat_label(stat), unit=_unit_label(unit))


def metrics_figure(
    frame: pd.DataFrame, title: str, *, metrics: Sequence[str] | None = None, split_by: str = "label"
) -> Any:
    """One panel per metric (shared time axis), one line per series; empty panels say "no data".

    ``split_by`` picks the column that separates the lines within a panel (``label`` by default, or a
    column the caller added, e.g. ``run`` to overlay two load tests).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if metrics is None:
        metrics = list(dict.fromkeys(frame["metric"])) if not frame.empty else []
    if not metrics:
        fig = go.Figure()
        fig.update_layout(title=say("views.metrics.no_points_yet", title=title), template="plotly_white")
        fig.update_xaxes(title_text=say("views.metrics.time_utc"))
        return fig
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=metrics)
    for row, metric in enumerate(metrics, start=1):
        part = frame[frame["metric"] == metric]
        if part.empty:
            fig.update_yaxes(title_text=say("views.metrics.no_data", metric=metric), row=row, col=1)
            continue
        for name, series in part.groupby(split_by, sort=True):
            fig.add_trace(
                go.Scatter(x=series["timestamp"], y=series["value"], mode="lines+markers", name=str(name)),
                row=row,
                col=1,
            )
        first = part.iloc[0]
        fig.update_yaxes(
            title_text=axis_title(metric, first["stat"], first["unit"]), rangemode="tozero", row=row, col=1
        )
    fig.update_xaxes(title_text=say("views.metrics.time_utc"), row=len(metrics), col=1)
    fig.update_layout(title=title, template="plotly_white", height=max(320, 220 * len(metrics)))
    return fig


def bar_comparison(totals: pd.DataFrame, title: str, *, value: str, group: str, category: str, y_title: str) -> Any:
    """Grouped bars, e.g. succeeded and refused calls for "direct" vs "proxy" runs side by side; outcomes
    in their colours (``OUTCOME_COLORS``)."""
    import plotly.express as px

    shown = totals.assign(**{group: totals[group].map(lambda g: outcome_label(str(g)))})
    colors = {outcome_label(outcome): color for outcome, color in OUTCOME_COLORS.items()}
    fig = px.bar(
        shown, x=category, y=value, color=group, barmode="group", title=title, template="plotly_white",
        color_discrete_map=colors, text=value, labels={c: column_label(c) for c in (value, group, category)},
    )  # fmt: skip
    fig.update_layout(yaxis_title=y_title, xaxis_title=column_label(category))
    return fig


# Outcomes keep their colour in every figure: success green, refused or throttled red.
OUTCOME_COLORS = {
    "succeeded": "#2ca02c",
    "refused: too many connections": "#d62728",
    "throttled": "#d62728",
    "other error": "#7f7f7f",
}
_OUTCOME_KEYS = {
    "succeeded": "views.outcome.succeeded",
    "refused: too many connections": "views.outcome.refused_connections",
    "throttled": "views.outcome.throttled",
    "other error": "views.outcome.other_error",
}


def in_flight_figure(calls: pd.DataFrame, title: str, *, limit: int | None = None, step_s: float = 0.1) -> Any:
    """Calls in flight every ``step_s`` seconds, one panel per ``path`` side by side, one line per ``outcome``
    (succeeded green, refused red), from each call's ``start_s`` and ``end_s`` on the client's clock;
    ``limit`` draws the connection cap as a dashed line.

    >>> calls = pd.DataFrame({"path": ["a", "a", "b"], "outcome": ["succeeded", "other error", "succeeded"],
    ...                       "start_s": [0.0, 0.0, 1.0], "end_s": [0.3, 0.1, 1.2]})
    >>> fig = in_flight_figure(calls, "t", limit=1)
    >>> [t.name for t in fig.data], fig.layout.xaxis.title.text
    (['other error', 'succeeded', 'succeeded'], 'seconds since the first call started')
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from ..measure.inflight import in_flight

    paths = list(dict.fromkeys(calls["path"]))
    fig = make_subplots(rows=1, cols=len(paths), shared_yaxes=True, subplot_titles=paths, horizontal_spacing=0.06)
    shown: set[str] = set()
    for col, path in enumerate(paths, start=1):
        series = in_flight(calls[calls["path"] == path], step_s=step_s)
        for outcome, part in series.groupby("outcome", sort=False):
            name = str(outcome)
            fig.add_trace(
                go.Scatter(
                    x=part["t_s"], y=part["calls"], name=outcome_label(name), mode="lines", line={"shape": "hv"},
                    line_color=OUTCOME_COLORS.get(name, "#1f77b4"), legendgroup=name, showlegend=name not in shown,
                ),
                row=1, col=col,
            )  # fmt: skip
            shown.add(name)
        fig.update_xaxes(title_text=say("views.metrics.since_first_call"), row=1, col=col)
        if limit is not None:
            fig.add_hline(y=limit, line_dash="dash", line_color="#555", row=1, col=col)
    if limit is not None:
        fig.add_annotation(
            text=say("views.metrics.connection_limit", limit=limit), x=0, y=limit, xref="x domain", yref="y",
            yanchor="bottom", xanchor="left", showarrow=False, font={"size": 11},
        )  # fmt: skip
    fig.update_yaxes(title_text=say("views.metrics.calls_in_flight"), rangemode="tozero", row=1, col=1)
    fig.update_layout(title=title, template="plotly_white", height=380, legend_orientation="h", legend_y=-0.25)
    return fig


def totals_figure(totals: pd.Series, title: str, *, y_title: str, limit: int | None = None) -> Any:
    """One bar per series (e.g. CloudWatch's peak per metric over a whole experiment), values written on them.

    >>> totals_figure(pd.Series({"ClientConnections": 24.0}), "t", y_title="connections").data[0].text
    ('24',)
    """
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Bar(x=list(totals.index), y=list(totals.values), text=[f"{v:.0f}" for v in totals.values],
               textposition="outside", marker_color="#1f77b4")
    )  # fmt: skip
    if limit is not None:
        fig.add_hline(
            y=limit, line_dash="dash", line_color="#555", annotation_text=say("views.metrics.limit", limit=limit)
        )
    fig.update_layout(title=title, template="plotly_white", yaxis_title=y_title, showlegend=False)
    fig.update_yaxes(rangemode="tozero")
    return fig
