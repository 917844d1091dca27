"""How modules 3-5 show what they built: handler code, price tables, architecture and concurrency figures."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .capacity import PRICES, RDS_INSTANCES
from .stack import names


def price_table(items: list[str], *, memory_mb: int = 128, db_class: str = "db.t3.micro") -> pd.DataFrame:
    """Hourly list prices of what a module keeps running, from the dated table in helpers.capacity."""
    rds_hourly, vcpus = RDS_INSTANCES[db_class]
    gb = memory_mb / 1024
    catalogue = {
        "lambda": ("Lambda", "per request + per GB-second of run time", "only while called"),
        "api_gateway": (
            "API Gateway REST",
            f"{PRICES['api_gateway_rest_request'] * 1e6:.2f} per million requests",
            "only while called",
        ),
        "rds": (f"RDS {db_class}", f"{rds_hourly:.3f} per hour", f"{rds_hourly:.3f}"),
        "rds_proxy": (
            "RDS Proxy",
            f"{PRICES['rds_proxy_vcpu_hour']:.3f} per vCPU-hour of the instance ({max(2, vcpus)} vCPU minimum)",
            f"{PRICES['rds_proxy_vcpu_hour'] * max(2, vcpus):.3f}",
        ),
        "secrets": (
            "Secrets Manager",
            f"{PRICES['secrets_manager_secret_month']:.2f} per secret-month"
            f" + {PRICES['secrets_manager_api_call'] * 1e4:.2f} per 10,000 calls",
            f"{PRICES['secrets_manager_secret_month'] / 730:.4f} per secret",
        ),
        "vpc_endpoint": (
            "VPC interface endpoint (Secrets Manager)",
            f"{PRICES['vpc_interface_endpoint_az_hour']:.3f} per AZ-hour (2 AZs)",
            f"{2 * PRICES['vpc_interface_endpoint_az_hour']:.3f}",
        ),
        "provisioned": (
            f"Lambda provisioned concurrency ({memory_mb} MB)",
            f"{PRICES['lambda_provisioned_gb_second'] * 3600:.4f} per GB-hour configured",
            f"{PRICES['lambda_provisioned_gb_second'] * 3600 * gb:.4f} per environment",
        ),
        "xray": ("X-Ray", "5.00 per million traces recorded (first 100,000 per month free)", "only while called"),
    }
    from .capacity import PRICES_AS_OF

    rows = [catalogue[i] for i in items]
    # Amounts without a "$": JupyterLab typesets the text between two bare dollar signs in an output as math.
    frame = pd.DataFrame(rows, columns=["resource", "list price in USD (us-east-1)", "USD per hour while it exists"])
    frame.attrs["as_of"] = PRICES_AS_OF
    return frame


def architecture_figure(ws: Any, db: Any, *, client: str = "you", extra: list[tuple[str, str]] | None = None):
    """The module's resources, read back from the target, drawn left to right.

    ``db`` is a :class:`DbStack` or a :class:`Module2`; parts not created yet (the proxy, the app secret)
    are drawn grey and marked so.
    """
    lam, rds = ws.client("lambda"), ws.client("rds")
    fn = lam.get_function_configuration(FunctionName=db.function)
    instance = rds.describe_db_instances(DBInstanceIdentifier=db.db_instance)["DBInstances"][0]
    proxy_name = getattr(db, "proxy_name", None) or names(ws)["proxy"]
    try:
        proxy = rds.describe_db_proxies(DBProxyName=proxy_name)["DBProxies"][0]
        proxy_label = f"{proxy['DBProxyName']} ({proxy['Status']})"
    except rds.exceptions.DBProxyNotFoundFault:
        proxy_label = f"{proxy_name} (not created yet)"
    secret_name = names(ws)["app_secret"]
    try:
        ws.client("secretsmanager").describe_secret(SecretId=secret_name)
        secret_label = secret_name
    except ws.client("secretsmanager").exceptions.ResourceNotFoundException:
        secret_label = f"{secret_name} (not created yet)"
    host = db.api_url.split("//", 1)[-1].split("/", 1)[0]
    nodes = [
        (client, "client"),
        (f"{host[:38]} (stage)", "API Gateway"),
        (f"{fn['FunctionName']} ({fn['Runtime']}, {fn['MemorySize']} MB)", "Lambda"),
        (proxy_label, "RDS Proxy"),
        (f"{instance['DBInstanceIdentifier']} ({instance['DBInstanceClass']})", "RDS MySQL"),
        (secret_label, "Secrets Manager"),
    ]
    edges = [(0, 1), (1, 2), (2, 3), (3, 4), (2, 5)]
    for name, kind in extra or []:
        nodes.append((name, kind))
        edges.append((2, len(nodes) - 1))
    return _diagram(nodes, edges, f"Deployed resources ({len(nodes) - 1})")


def _diagram(nodes: list[tuple[str, str]], edges: list[tuple[int, int]], title: str):
    import plotly.graph_objects as go

    main = 5
    xs = [float(i) if i < main else 2.0 + (i - main) * 1.2 for i in range(len(nodes))]
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
            marker={
                "size": 40,
                "color": [
                    "#7f7f7f" if k == "client" else "#d0d0d0" if "not created" in n else "#1f77b4" for n, k in nodes
                ],
            },
            text=[f"<b>{kind}</b><br>{name}" for name, kind in nodes],
            textposition="bottom center",
            hoverinfo="text",
        )
    )
    fig.update_layout(title=title, template="plotly_white", showlegend=False, height=380, margin={"l": 40, "r": 40})
    fig.update_xaxes(visible=False, range=[-0.6, max(xs) + 0.6])
    fig.update_yaxes(visible=False, range=[-1.8, 0.6])
    return fig


def concurrency_figure(durations_ms: dict[str, float], *, max_requests_per_s: float = 1000):
    """Concurrency needed (requests/s x duration) over a range of request rates, one line per duration."""
    import plotly.graph_objects as go

    rates = [max_requests_per_s * i / 50 for i in range(51)]
    fig = go.Figure()
    for name, ms in durations_ms.items():
        fig.add_trace(go.Scatter(x=rates, y=[r * ms / 1000 for r in rates], mode="lines", name=f"{name}: {ms:.1f} ms"))
    fig.update_layout(
        title="Concurrency needed = requests per second x duration",
        template="plotly_white",
        xaxis_title="requests per second",
        yaxis_title="concurrent executions (environments)",
    )
    return fig
