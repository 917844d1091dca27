"""Module 3: create the application's own database user, run once by the notebook.

The master user can do anything; the API only needs to read. This function logs in as the master
user (credentials from the master secret), creates the application user from the application
secret, allows it only what the API needs, and caps how many connections it may hold at once
(MAX_USER_CONNECTIONS), so the connection lesson shows at laptop scale.

It runs inside the VPC because the database is not reachable from anywhere else.

Environment variables:
  MASTER_SECRET_ARN  secret with the master user's credentials (RDS format)
  APP_SECRET_ARN     secret with the application user's credentials (RDS format)
Event: {"max_user_connections": 10}
"""

import json
import os
import re

import boto3
import pymysql


def read_secret(arn):
    return json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


def lambda_handler(event, context):
    master = read_secret(os.environ["MASTER_SECRET_ARN"])
    app = read_secret(os.environ["APP_SECRET_ARN"])
    limit = int(event.get("max_user_connections", 0))  # 0 means no per-user cap
    dbname = app.get("dbname") or master.get("dbname")
    if not dbname or not re.fullmatch(r"[A-Za-z0-9_]+", dbname):
        raise ValueError(f"unexpected database name {dbname!r}")
    conn = pymysql.connect(
        host=master["host"],
        port=int(master.get("port", 3306)),
        user=master["username"],
        password=master["password"],
        connect_timeout=5,
        autocommit=True,
    )
    try:
        with conn.cursor() as cursor:
            # User names and passwords are passed as parameters; only the validated database name
            # and the integer limit are written into the statement text.
            cursor.execute("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", (app["username"], app["password"]))
            cursor.execute(
                f"ALTER USER %s@'%%' IDENTIFIED BY %s WITH MAX_USER_CONNECTIONS {limit}",
                (app["username"], app["password"]),
            )
            cursor.execute(f"GRANT SELECT ON `{dbname}`.* TO %s@'%%'", (app["username"],))
            cursor.execute("SELECT @@max_connections")
            (max_connections,) = cursor.fetchone()
    finally:
        conn.close()
    return {"user": app["username"], "max_user_connections": limit, "max_connections": int(max_connections)}
