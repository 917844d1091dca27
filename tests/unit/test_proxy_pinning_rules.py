"""Which statements pin a client to its database connection in the RDS Proxy (AWS's MySQL pinning list)."""

from __future__ import annotations

import pytest

from pocketcloud.rds.proxy.session import pins_session


@pytest.mark.parametrize(
    "sql",
    [
        "SET @n = 1",  # session variables and user variables
        "  set sql_mode = 'ANSI'",
        "SELECT @n",
        "SELECT a FROM t WHERE b = @limit",
        "CREATE TEMPORARY TABLE scratch (id INT)",
        "LOCK TABLES t WRITE",
        "lock table t read",
        "SELECT GET_LOCK('job', 10)",
        "PREPARE s FROM 'SELECT 1'",
        "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1",
        "SELECT FOUND_ROWS()",
    ],
)
def test_statements_that_keep_session_state_pin(sql: str) -> None:
    assert pins_session(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "SELECT @@version",  # a system variable is read, not kept
        "SELECT @@session.autocommit",
        "INSERT INTO t VALUES ('SET @x = 1')",  # inside a string it is data
        'SELECT "@user" AS handle',
        "SELECT 'it''s', 'GET_LOCK(' FROM t",
        "SELECT 'a\\'@b'",
        "SELECT email FROM users WHERE email LIKE '%@example.com'",
        "UPDATE t SET n = n + 1",  # SET inside an UPDATE is not a SET statement
        "CREATE TABLE t (id INT)",
        "SELECT offset FROM t",
    ],
)
def test_statements_without_session_state_do_not_pin(sql: str) -> None:
    assert not pins_session(sql)
