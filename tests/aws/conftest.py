"""The opt-in tier on a real AWS account (``pytest -m aws``): its tests run only when asked for.

A test marked ``aws`` runs when WORKSHOP_TARGET=aws, boto3 finds credentials and no AWS_ENDPOINT_URL points
boto3 somewhere else (such as a pocketcloud); otherwise it is skipped with the reason, so that ``make test``
reports it and goes on.
"""

from __future__ import annotations

import os

import pytest


def why_not_on_aws(environ: dict[str, str] | None = None, has_credentials: bool | None = None) -> str | None:
    """Why the aws tier cannot run here, or None when it can.

    >>> why_not_on_aws({}, has_credentials=True)
    'the aws tier runs on a real account only when asked: WORKSHOP_TARGET=aws pytest -m aws'
    >>> why_not_on_aws({"WORKSHOP_TARGET": "aws"}, has_credentials=True) is None
    True
    """
    environ = dict(os.environ) if environ is None else environ
    if environ.get("WORKSHOP_TARGET", "").strip().lower() != "aws":
        return "the aws tier runs on a real account only when asked: WORKSHOP_TARGET=aws pytest -m aws"
    if environ.get("AWS_ENDPOINT_URL"):
        return f"AWS_ENDPOINT_URL={environ['AWS_ENDPOINT_URL']} points boto3 away from AWS"
    if has_credentials is None:
        import boto3

        has_credentials = boto3.Session().get_credentials() is not None
    return None if has_credentials else "boto3 finds no AWS credentials"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("aws") is not None]
    reason = why_not_on_aws() if marked else None
    for item in marked if reason else []:
        item.add_marker(pytest.mark.skip(reason=reason))
