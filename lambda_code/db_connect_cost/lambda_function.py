"""Module 3: what opening a MySQL connection costs, next to a query on a connection that is already open.

For each target in the event (the DB instance, the RDS Proxy), the function logs in and out ``repeats`` times,
timing each login, then opens one connection and times ``repeats`` queries on it. The credentials are the
application user's, from Secrets Manager.

Environment variables:
  SECRET_ARN  the app user's secret in RDS format (username, password, dbname)

Event: {"repeats": 20, "targets": {"direct": ["host", 3306], "proxy": ["host", 3306]}}
"""

import json
import os
import time

import boto3
import pymysql


def lambda_handler(event, context):
    secret = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["SECRET_ARN"])["SecretString"]
    )
    repeats = int(event.get("repeats", 20))
    results = {}
    for name, (host, port) in event["targets"].items():
        results[name] = measure(secret, host, int(port), repeats)
    return results


def measure(secret, host, port, repeats):
    def connect():
        return pymysql.connect(
            host=host,
            port=port,
            user=secret["username"],
            password=secret["password"],
            database=secret.get("dbname"),
            connect_timeout=5,
            autocommit=True,
        )

    connect_ms, query_ms, errors = [], [], []
    for _ in range(repeats):
        started = time.perf_counter()
        try:
            conn = connect()
        except pymysql.MySQLError as error:
            errors.append(str(error))
            continue
        connect_ms.append((time.perf_counter() - started) * 1000)
        conn.close()
    conn = connect()
    try:
        with conn.cursor() as cursor:
            for _ in range(repeats):
                started = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchone()
                query_ms.append((time.perf_counter() - started) * 1000)
    finally:
        conn.close()
    return {"connect_ms": connect_ms, "query_ms": query_ms, "errors": errors}
