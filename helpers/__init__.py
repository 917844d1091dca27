"""The workshop toolkit: every console click of the workshop as one call.

Example::

    import helpers

    ws = helpers.connect()
    helpers.deploy_function(ws, ws.name("hello"), "s3_notifier", role_arn=role)
    helpers.call_api(url)
"""

from .api import api_url, call_api, ensure_rest_api
from .database import ensure_database, ensure_subnet_group, mask
from .events import (
    confirm_from_mailbox,
    ensure_bucket,
    ensure_topic,
    mailbox,
    notify_function_on_upload,
    subscribe_email,
    wait_for_email,
)
from .iam import ensure_lambda_role, role_policies
from .lambdas import deploy_function, invoke, recent_logs, show_code
from .layers import build_layer
from .loadtest import run_load_test
from .modules import deploy_module1, deploy_module2
from .network import deploy_vpc
from .plots import diagram, plot_latency
from .session import Workshop, connect

__all__ = [
    "Workshop",
    "api_url",
    "build_layer",
    "call_api",
    "confirm_from_mailbox",
    "connect",
    "deploy_function",
    "deploy_module1",
    "deploy_module2",
    "deploy_vpc",
    "diagram",
    "ensure_bucket",
    "ensure_database",
    "ensure_lambda_role",
    "ensure_rest_api",
    "ensure_subnet_group",
    "ensure_topic",
    "invoke",
    "mailbox",
    "mask",
    "notify_function_on_upload",
    "plot_latency",
    "recent_logs",
    "role_policies",
    "run_load_test",
    "show_code",
    "subscribe_email",
    "wait_for_email",
]
