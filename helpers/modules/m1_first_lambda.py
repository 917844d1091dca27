"""Module 1, your first Lambda function: an S3 upload invokes a function that publishes to an SNS topic.

The notebook builds it step by step with ``helpers.aws``; :func:`deploy` builds the same in one call.

Example::

    names = m1.names(ws)
    m1.deploy(ws, email="ana@uni.edu")      # your address; SNS asks it to confirm first
    m1.cleanup(ws)
    m1.leftovers(ws)                          # what of module 1 still exists: nothing
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ..aws.events import ensure_bucket, ensure_topic, notify_function_on_upload, subscribe_email
from ..aws.iam import allow, ensure_lambda_role, policy
from ..aws.inventory import Resource, delete_resources, find_resources, only_named
from ..aws.lambdas import deploy_function
from ..session import Workshop
from ..views.tables import resources_table

LOCAL_EMAIL = "learner@example.com"  # pocketcloud's mailbox reads it; on AWS no one can: pass your own


@dataclasses.dataclass
class Module1:
    """What module 1 deployed."""

    topic_arn: str
    email: str
    bucket: str
    function: str
    role_name: str


def names(ws: Workshop) -> dict[str, str]:
    """Module 1's resource names, under the workshop prefix (the bucket's includes account and region, since
    bucket names are global).

    >>> names(Workshop("local", "us-east-1", "123456789012"))["bucket"]
    'sas-uploads-123456789012-us-east-1'
    """
    return {
        "topic": ws.name("uploads"),
        "bucket": ws.name("uploads", ws.account, ws.region),
        "function": ws.name("notifier"),
        "role": ws.name("notifier-role"),
    }


def deploy(ws: Workshop, email: str | None = None) -> Module1:
    """Topic + email subscription, bucket, notifier function (may publish to that topic only), notification."""
    n = names(ws)
    email = email or LOCAL_EMAIL
    topic = ensure_topic(ws, n["topic"])
    subscribe_email(ws, topic, email)
    bucket = ensure_bucket(ws, n["bucket"])
    role = ensure_lambda_role(ws, n["role"], inline={"publish-uploads": policy(allow("sns:Publish", topic))})
    deploy_function(ws, n["function"], "s3_notifier", role_arn=role, env={"TOPIC_ARN": topic})
    notify_function_on_upload(ws, bucket, n["function"])
    return Module1(topic, email, bucket, n["function"], n["role"])


def _module_resources(ws: Workshop) -> list[Resource]:
    n = names(ws)
    wanted = set(n.values()) | {f"/aws/lambda/{n['function']}"}
    return only_named(find_resources(ws.client, ws.prefix), wanted)


def cleanup(ws: Workshop) -> pd.DataFrame:
    """Delete module 1's topic, bucket, function, its log group and role; returns what was found to delete."""
    found = _module_resources(ws)
    delete_resources(ws.client, found)
    return resources_table(found)


def leftovers(ws: Workshop) -> pd.DataFrame:
    """What of module 1 still exists, listed afresh from the cloud (empty after :func:`cleanup`)."""
    return resources_table(_module_resources(ws))
