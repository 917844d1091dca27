"""Module 4: the same answer as v2, with the slow parts moved out of the handler.

Code outside the handler runs once per execution environment (the cold start); every later call in
that environment reuses the secret and the open connection. If the connection dropped in between
(the proxy or the database closed an idle one), ``ping(reconnect=True)`` opens a fresh one.

Environment variables: SECRET_ARN, DB_HOST and DB_PORT, as in v2.
"""

import json
import os

import boto3
import pymysql

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
    with CONNECTION.cursor() as cursor:
        cursor.execute(QUERY, (hold_seconds(event),))
        db_time, _ = cursor.fetchone()
    return response(200, {"db_time": str(db_time), "version": "v3"})


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
