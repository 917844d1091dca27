"""Module 3: what the application's database user may do, as MySQL itself says, run once by the notebook.

It logs in as the application user (credentials from the application secret), asks MySQL for the
user's grants and tries one write, which a read-only user must be refused. It runs inside the VPC
because the database is not reachable from anywhere else.

Environment variables:
  APP_SECRET_ARN  secret with the application user's credentials (RDS format)
"""

import json
import os
import re

import boto3
import pymysql

# A grant line may carry the password hash ("IDENTIFIED BY PASSWORD '*...'"): never return it.
_PASSWORD = re.compile(r"IDENTIFIED (BY|WITH) .*?(?= REQUIRE| WITH|$)")


def lambda_handler(event, context):
    app = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["APP_SECRET_ARN"])["SecretString"]
    )
    conn = pymysql.connect(
        host=app["host"],
        port=int(app.get("port", 3306)),
        user=app["username"],
        password=app["password"],
        database=app["dbname"],
        connect_timeout=5,
        autocommit=True,
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW GRANTS")
            grants = [_PASSWORD.sub("IDENTIFIED BY <hidden>", row[0]) for row in cursor.fetchall()]
            try:
                cursor.execute("CREATE TABLE app_write_probe (id INT)")
                write = {"refused": False}
                cursor.execute("DROP TABLE app_write_probe")
            except pymysql.err.MySQLError as error:
                write = {"refused": True, "code": error.args[0], "message": str(error.args[1])}
    finally:
        conn.close()
    return {"user": app["username"], "grants": grants, "write": write}
