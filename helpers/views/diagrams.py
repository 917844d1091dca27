"""Architecture diagrams: what a module deployed, under the names the learner gave it, drawn left to right."""

from __future__ import annotations

from typing import Any

from ..text import say


def diagram(nodes: list[tuple[str, str]], edges: list[tuple[str, str]], title: str) -> Any:
    """A left-to-right diagram of ``nodes`` (label, detail) linked by ``edges`` (from label, to label)."""
    import plotly.graph_objects as go

    x = {label: i for i, (label, _) in enumerate(nodes)}
    figure = go.Figure()
    for source, target in edges:
        figure.add_annotation(
            x=x[target] - 0.18, y=0, ax=x[source] + 0.18, ay=0, xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=3, arrowwidth=2, arrowcolor="#555",
        )  # fmt: skip
    figure.add_scatter(
        x=list(x.values()), y=[0] * len(nodes), mode="markers+text", text=[f"<b>{n}</b>" for n, _ in nodes],
        textposition="top center", marker={"size": 38, "color": "#ff9900", "symbol": "square"},
        hovertext=[detail for _, detail in nodes], hoverinfo="text", showlegend=False,
    )  # fmt: skip
    for i, (_, detail) in enumerate(nodes):
        figure.add_annotation(x=i, y=-0.35, text=detail, showarrow=False, font={"size": 10})
    figure.update_layout(
        title=title, height=260, xaxis={"visible": False, "range": [-0.6, len(nodes) - 0.4]},
        yaxis={"visible": False, "range": [-0.6, 0.6]}, margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )  # fmt: skip
    return figure


def architecture_figure(
    nodes: list[tuple[str, str]], edges: list[tuple[int, int]], title: str, *, main: int = 5
) -> Any:
    """Deployed resources as (name, kind) nodes linked by ``edges`` (index pairs): the first ``main`` left to
    right with their labels above, the rest in a row below with their labels under them, so that no arrow
    (along the top row, or down from it) runs through a label; the client grey, resources blue.

    >>> fig = architecture_figure([("you", "client"), ("sas-api (stage dev)", "API Gateway")], [(0, 1)], "Two")
    >>> fig.layout.title.text, len(fig.layout.annotations), fig.data[0].textposition
    ('Two', 1, ('top center', 'top center'))
    """
    import plotly.graph_objects as go

    lower = len(nodes) - main
    centre = min(2, main - 1)  # the lower row sits under the third node (the function, which calls it)
    xs = [float(i) if i < main else centre + (i - main - (lower - 1) / 2) * 1.5 for i in range(len(nodes))]
    ys = [0.0 if i < main else -1.0 for i in range(len(nodes))]
    fig = go.Figure()
    for a, b in edges:
        fig.add_annotation(
            x=xs[b], y=ys[b], ax=xs[a], ay=ys[a], xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=3, arrowwidth=1.5, arrowcolor="#888", standoff=24, startstandoff=24,
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            marker={"size": 40, "color": ["#7f7f7f" if kind == "client" else "#1f77b4" for _, kind in nodes]},
            text=[
                f"<b>{say('views.diagrams.client') if kind == 'client' else kind}</b><br>{name}" for name, kind in nodes
            ],
            textposition=["top center" if y == 0 else "bottom center" for y in ys],
            hoverinfo="text",
        )
    )
    fig.update_layout(title=title, template="plotly_white", showlegend=False, height=400, margin={"l": 40, "r": 40})
    fig.update_xaxes(visible=False, range=[min(-0.7, min(xs) - 0.7), max(xs) + 0.7])
    fig.update_yaxes(visible=False, range=[-1.9, 0.9] if min(ys) < 0 else [-0.6, 0.9])
    return fig
