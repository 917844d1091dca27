"""Module 2: an API that answers with the database's current time.

The connection settings come from environment variables set at deploy time. That includes the
password, which anyone who can read the function's configuration can see: module 3 moves it to
Secrets Manager.

Environment variables:
  DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME
"""

import json
import os

import pymysql


def lambda_handler(event, context):
    conn = pymysql.connect(
        host=os.environ["DB_HOST"],
        port=int(os.environ.get("DB_PORT", "3306")),
        user=os.environ["DB_USER"],
        password=os.environ["DB_PASSWORD"],
        database=os.environ.get("DB_NAME"),
        connect_timeout=5,
        autocommit=True,
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT NOW()")
            (db_time,) = cursor.fetchone()
    finally:
        conn.close()
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"db_time": str(db_time), "version": "v1"}),
    }
