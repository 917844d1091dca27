"""Thin, idempotent boto3 wrappers, one file per service, and the one waiting helper they all use.

Every function takes the session first; calling it twice reuses or updates, never duplicates.

>>> from helpers import aws
>>> aws.iam.allow("sns:Publish", "arn:aws:sns:us-east-1:123456789012:sas-uploads")["Action"]
['sns:Publish']
>>> aws.api.api_id_and_stage("https://a1b2c3.execute-api.us-east-1.amazonaws.com/dev/")
('a1b2c3', 'dev')
"""

from . import api, database, events, iam, inventory, lambdas, layers, network, proxy, secrets, waiting

__all__ = [
    "api",
    "database",
    "events",
    "iam",
    "inventory",
    "lambdas",
    "layers",
    "network",
    "proxy",
    "secrets",
    "waiting",
]
