"""Module 3: the database time, with credentials from Secrets Manager and connections through RDS Proxy.

Everything happens inside the handler: every call fetches the secret and opens a new connection.
That is correct but slow; module 4 measures the cost and moves both out of the handler.

Environment variables set at deploy time:
  SECRET_ARN  the Secrets Manager secret in RDS format (username, password, host, port, dbname)
  DB_HOST     where to connect: the RDS Proxy endpoint (defaults to the secret's host, the instance)
  DB_PORT     the port there (an RDS Proxy for MySQL listens on 3306; defaults to the secret's port)
"""

import json
import os

import boto3
import pymysql

QUERY = "SELECT NOW() AS db_time, SLEEP(%s) AS slept"
MAX_HOLD_S = 5.0


def lambda_handler(event, context):
    secret = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["SECRET_ARN"])["SecretString"]
    )
    conn = pymysql.connect(
        host=os.environ.get("DB_HOST") or secret["host"],
        port=int(os.environ.get("DB_PORT") or secret.get("port", 3306)),
        user=secret["username"],
        password=secret["password"],
        database=secret.get("dbname"),
        connect_timeout=5,
        autocommit=True,
    )
    try:
        with conn.cursor() as cursor:
            # A parameterised query: the driver sends the value separately, never pasted into the SQL text.
            cursor.execute(QUERY, (hold_seconds(event),))
            db_time, _ = cursor.fetchone()
    finally:
        conn.close()
    return response(200, {"db_time": str(db_time), "version": "v2"})


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
