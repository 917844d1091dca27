"""Module 5: v3 with AWS X-Ray tracing.

``patch_all()`` makes the X-Ray SDK wrap the libraries it knows (boto3, pymysql, ...): each
Secrets Manager call and each SQL query becomes a subsegment of this function's trace, so the
trace timeline shows where the time goes. The SDK comes from a Lambda layer.

The pymysql patch records that a query ran but not its text, so the handler wraps the query in
its own subsegment and attaches the SQL as metadata.

Environment variables: SECRET_ARN, DB_HOST and DB_PORT, as in v2.
"""

import json
import os

import boto3
import pymysql
from aws_xray_sdk.core import patch_all, xray_recorder

patch_all()

QUERY = "SELECT NOW() AS db_time, SLEEP(%s) AS slept"
MAX_HOLD_S = 5.0

SECRET = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["SECRET_ARN"])["SecretString"])
CONNECTION = pymysql.connect(
    host=os.environ.get("DB_HOST") or SECRET["host"],
    port=int(os.environ.get("DB_PORT") or SECRET.get("port", 3306)),
    user=SECRET["username"],
    password=SECRET["password"],
    database=SECRET.get("dbname"),
    connect_timeout=5,
    autocommit=True,
)


def lambda_handler(event, context):
    CONNECTION.ping(reconnect=True)
    with xray_recorder.in_subsegment("db_time query") as subsegment:
        subsegment.put_metadata("query", QUERY, "sql")
        with CONNECTION.cursor() as cursor:
            cursor.execute(QUERY, (hold_seconds(event),))
            db_time, _ = cursor.fetchone()
    return response(200, {"db_time": str(db_time), "version": "v4-traced"})


def hold_seconds(event):
    """Optional ?hold=0.5 keeps the connection busy that long, to simulate a slower query."""
    params = (event or {}).get("queryStringParameters") or {}
    try:
        return min(max(float(params.get("hold", 0)), 0.0), MAX_HOLD_S)
    except ValueError:
        return 0.0


def response(status, body):
    """The shape API Gateway's Lambda proxy integration expects."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
