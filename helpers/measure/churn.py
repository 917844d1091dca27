"""Connection churn: what opening a MySQL connection costs next to a query on one already open, measured in the VPC.

The database is only reachable from inside the VPC, so a one-off function (``lambda_code/db_connect_cost``)
does the timing there, against the DB instance and the RDS Proxy, and is deleted afterwards.

>>> frame = cost_frame({"direct": {"connect_ms": [4.0, 6.0], "query_ms": [0.2, 0.3], "errors": []}})
>>> frame.groupby("step")["ms"].median().to_dict()
{'connect': 5.0, 'query': 0.25}
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ..aws.iam import role_arn
from ..aws.lambdas import delete_function, deploy_function
from ..session import Workshop
from ..text import say

# The steps as the data name them; tables show them in the session's language (views.tables.column.<step>:
# "open a connection (log in)", "query on an open connection").
CONNECT = "connect"
QUERY = "query"


def cost_frame(answer: dict[str, dict[str, list[Any]]]) -> pd.DataFrame:
    """The function's answer as rows: ``path``, ``step`` (:data:`CONNECT` or :data:`QUERY`), ``ms``."""
    rows = [
        {"path": path, "step": step, "ms": float(ms)}
        for path, figures in answer.items()
        for step, key in ((CONNECT, "connect_ms"), (QUERY, "query_ms"))
        for ms in figures.get(key, [])
    ]
    return pd.DataFrame(rows, columns=["path", "step", "ms"])


def connection_cost(
    ws: Workshop,
    name: str,
    *,
    role: str,
    secret_arn: str,
    targets: dict[str, tuple[str, int]],
    layers: list[str],
    subnet_ids: list[str],
    security_group_ids: list[str],
    repeats: int = 20,
) -> pd.DataFrame:
    """Deploy ``db_connect_cost`` as ``name`` in the VPC (role ``role`` must read ``secret_arn``), time ``repeats``
    logins and ``repeats`` queries on an open connection for each of ``targets`` (path -> host, port), delete it.
    Logins refused by MySQL are kept in ``frame.attrs["errors"]``."""
    deploy_function(
        ws,
        name,
        "db_connect_cost",
        role_arn=role_arn(ws, role),
        env={"SECRET_ARN": secret_arn},
        layers=layers,
        subnet_ids=subnet_ids,
        security_group_ids=security_group_ids,
        timeout_s=60,
    )
    try:
        event = {"repeats": repeats, "targets": {path: [host, port] for path, (host, port) in targets.items()}}
        response = ws.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event))
        answer = json.loads(response["Payload"].read())
        if response.get("FunctionError"):
            raise RuntimeError(say("errors.function_failed", function="db_connect_cost", answer=answer))
    finally:
        delete_function(ws, name)
    frame = cost_frame(answer)
    frame.attrs["errors"] = {path: figures.get("errors", []) for path, figures in answer.items()}
    return frame
