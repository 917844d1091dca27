"""Module 5's switches: stage tracing, Lambda active tracing with the traced handler, waiting for traces."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from .stack import DbStack, deploy_db_time, names

XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"


def api_id_and_stage(api_url: str) -> tuple[str, str]:
    """The REST API id and stage in an invoke URL (AWS ``https://{id}.execute-api...`` or pocketcloud's)."""
    if "/restapis/" in api_url:
        api_id, stage = api_url.split("/restapis/", 1)[1].split("/")[:2]
        return api_id, stage
    host, _, path = api_url.split("//", 1)[-1].partition("/")
    return host.split(".", 1)[0], path.split("/", 1)[0]


def set_stage_tracing(ws: Any, db: DbStack, enabled: bool) -> dict[str, Any]:
    """Turn X-Ray tracing of the API's stage on or off; returns the stage."""
    api_id, stage = (db.api_id, db.stage) if db.api_id else api_id_and_stage(db.api_url)
    value = "true" if enabled else "false"
    return ws.client("apigateway").update_stage(
        restApiId=api_id,
        stageName=stage,
        patchOperations=[{"op": "replace", "path": "/tracingEnabled", "value": value}],
    )


def enable_tracing(ws: Any, db: DbStack, xray_layer_arn: str) -> dict[str, Any]:
    """The traced handler (v4) as its own function, created with Lambda active tracing and the X-Ray SDK
    layer, the API switched to it, and stage tracing on. Returns the traced function's configuration.

    A new function rather than an update of the API's function: pocketcloud (moto) applies
    ``TracingConfig`` only when a function is created. On AWS both ways work; switching the API's
    integration back is the clean-up.
    """
    from .api import ensure_rest_api
    from .iam import VPC_EXECUTION, ensure_lambda_role
    from .modules import module2_names

    ensure_lambda_role(ws, db.role_name, managed=[VPC_EXECUTION, XRAY_WRITE])
    traced = names(ws)["traced_function"]
    config = deploy_db_time(
        ws, db, "db_time_v4_traced", name=traced, tracing="Active", layers=[*db.layer_arns, xray_layer_arn]
    )
    ensure_rest_api(ws, module2_names(ws)["api"], traced)
    set_stage_tracing(ws, db, True)
    return config


def wait_for_traces(
    xray: Any,
    *,
    ids: list[str] | None = None,
    start: Any = None,
    count: int = 1,
    timeout_s: float = 180,
    need_sql: bool = True,
) -> list[dict[str, Any]]:
    """Complete traces (with their function segment, and the SQL subsegment when ``need_sql``): the ones
    named by ``ids``, or at least ``count`` since ``start``. Returns what is there when ``timeout_s`` ends.

    X-Ray makes traces searchable some seconds after they end; pocketcloud at once.
    """
    import datetime as dt

    from .tracing import fetch_traces, get_traces, segments_frame

    def complete(trace: dict[str, Any]) -> bool:
        frame = segments_frame(trace)
        has_function = (frame["origin"] == "AWS::Lambda::Function").any()
        return bool(has_function and (not need_sql or frame["sql"].notna().any()))

    wanted = len(ids) if ids is not None else count
    deadline = time.monotonic() + timeout_s
    while True:
        if ids is not None:
            traces = get_traces(xray, ids)
        else:
            traces = fetch_traces(xray, start, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
        done = [t for t in traces if complete(t)]
        if len(done) >= wanted or time.monotonic() > deadline:
            return done
        time.sleep(2)


def cleanup_module5(ws: Any, db: DbStack) -> list[str]:
    """Module 5's clean-up: the API back on the untraced function, stage tracing off, traced function removed."""
    from .api import ensure_rest_api
    from .modules import module2_names

    deploy_db_time(ws, db, "db_time_v3")
    ensure_rest_api(ws, module2_names(ws)["api"], db.function)
    set_stage_tracing(ws, db, False)
    done = [f"API back on {db.function} (v3, optimized)", "stage tracing off"]
    lam = ws.client("lambda")
    with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
        lam.delete_function(FunctionName=names(ws)["traced_function"])
        done.append(f"function {names(ws)['traced_function']} deleted")
    print("Done:", ", ".join(done))
    return done
