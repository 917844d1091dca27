"""Module 5, tracing with X-Ray: stage tracing, Lambda active tracing with the traced handler, and back.

Calling with a trace header, waiting for traces and reading them is ``helpers.measure.traces``'; the
figures are ``helpers.views.traces``'.

Example::

    db = ensure(ws)
    config = enable_tracing(ws, db, xray_layer_arn)
    cleanup(ws, db)
"""

from __future__ import annotations

from typing import Any

from ..aws.api import ensure_rest_api, set_stage_tracing
from ..aws.iam import VPC_EXECUTION, XRAY_WRITE, ensure_lambda_role
from ..aws.lambdas import delete_function, function_exists, recycle_environments
from ..session import Workshop
from ..text import say
from . import m2_rest_api as m2
from . import m3_secrets_and_proxy as m3
from .m3_secrets_and_proxy import DbStack


def names(ws: Workshop) -> dict[str, str]:
    """Module 5's resource names, under the workshop prefix.

    >>> names(Workshop("local", "us-east-1", "123456789012"))["traced_function"]
    'sas-db-time-traced'
    """
    return {"xray_layer": ws.name("xray-sdk"), "traced_function": ws.name("db-time-traced")}


def ensure(ws: Workshop) -> DbStack:
    """What modules 2 and 3 built (API, function, database, secret, RDS Proxy), created where missing."""
    return m3.ensure(ws)


def architecture_figure(ws: Workshop, db: DbStack, *, client: str | None = None) -> Any:
    """The traced path, read from the target, with X-Ray next to the function."""
    client = client or say("m5.client_notebook")
    return m3.architecture_figure(ws, db, client=client, extra=[(say("m5.xray_node"), "X-Ray")])


def enable_tracing(ws: Workshop, db: DbStack, xray_layer_arn: str) -> dict[str, Any]:
    """The traced handler (v4) as its own function, created with Lambda active tracing and the X-Ray SDK
    layer, the API switched to it, and stage tracing on (its next call is a cold start, also on a rerun).
    Returns the traced function's configuration.

    A new function rather than an update of the API's function: pocketcloud (moto) applies
    ``TracingConfig`` only when a function is created. On AWS both ways work; switching the API's
    integration back is the clean-up.
    """
    ensure_lambda_role(ws, db.role_name, managed=[VPC_EXECUTION, XRAY_WRITE])
    existed = function_exists(ws, names(ws)["traced_function"])
    config = m3.deploy_db_time(
        ws,
        db,
        "db_time_v4_traced",
        name=names(ws)["traced_function"],
        tracing="Active",
        layers=[*db.layer_arns, xray_layer_arn],
    )
    if existed:  # left from an earlier run: its next call must be a cold start again, as for a new function
        recycle_environments(ws, names(ws)["traced_function"])
    ensure_rest_api(ws, m2.names(ws)["api"], names(ws)["traced_function"])
    set_stage_tracing(ws, db.api_url, True)
    return config


def cleanup(ws: Workshop, db: DbStack) -> list[str]:
    """The API back on the untraced function, stage tracing off, the traced function removed."""
    m3.deploy_db_time(ws, db, "db_time_v3")
    ensure_rest_api(ws, m2.names(ws)["api"], db.function)
    set_stage_tracing(ws, db.api_url, False)
    done = [say("m5.api_back", function=db.function), say("m5.tracing_off")]
    if delete_function(ws, names(ws)["traced_function"]):
        done.append(say("m5.function_deleted", name=names(ws)["traced_function"]))
    print(say("m5.done", items=", ".join(done)))
    return done
