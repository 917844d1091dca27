"""The RDS Proxy's client sessions against a real MariaDB: login from the secret, multiplexing at transaction
boundaries, pinning, session state carried between connections, borrow timeouts and lost connections.

Fast enough for mutmut (one MariaDB per module, see proxy_lab.py); tests/pocketcloud/test_rds_proxy.py covers
the same proxy inside a whole pocketcloud.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pocketcloud.rds.dbserver import DbServer
from pocketcloud.rds.proxy import protocol as p
from pocketcloud.rds.proxy.proxy import DbProxy

from ..waiting import wait_until
from .proxy_lab import (
    DATABASE,
    PASSWORD,
    PATIENCE,
    USER,
    Bench,
    ProxyLab,
    RawClient,
    backend_of,
    begin,
    login_with_plugin,
    one,
    refused,
    ssl_request,
)  # fmt: skip

# -- logging in ---------------------------------------------------------------------------------------


def test_a_client_logs_in_with_the_secrets_password_into_its_database(lab: ProxyLab, bench: Bench) -> None:
    conn = bench.client(bench.proxy())
    assert one(conn, "SELECT DATABASE(), CURRENT_USER()") == (DATABASE, f"{USER}@%")


def test_a_wrong_password_an_empty_one_and_an_unknown_user_are_refused_as_mysql_does(bench: Bench) -> None:
    # RDS Proxy checks the client's password against the secret's and answers MySQL's 1045.
    proxy = bench.proxy()
    wrong = refused(lambda: bench.client(proxy, password="not-it"))
    assert wrong.args == (1045, f"Access denied for user '{USER}'@'127.0.0.1' (using password: YES)")
    empty = refused(lambda: bench.client(proxy, password=""))
    assert empty.args == (1045, f"Access denied for user '{USER}'@'127.0.0.1' (using password: NO)")
    stranger = refused(lambda: bench.client(proxy, user="mallory"))
    assert stranger.args[0] == 1045 and "'mallory'" in stranger.args[1]
    assert proxy.pools == {}, "a refused login opens no database connection"


def test_the_secret_is_read_at_every_login_so_a_rotation_applies_at_once(lab: ProxyLab, bench: Bench) -> None:
    lab.admin_sql(
        "CREATE USER IF NOT EXISTS 'rotating'@'%' IDENTIFIED BY 'First-1'", "GRANT SELECT ON app.* TO 'rotating'@'%'"
    )
    proxy = bench.proxy()
    arn = lab.new_secret("rotating", "First-1")
    proxy.auth = [{"AuthScheme": "SECRETS"}, {"SecretArn": arn}, {"SecretArn": lab.secret}]
    assert one(bench.client(proxy, user="rotating", password="First-1"), "SELECT CURRENT_USER()") == "rotating@%"
    lab.admin_sql("ALTER USER 'rotating'@'%' IDENTIFIED BY 'Second-2'")
    lab.secrets.put_secret_value(SecretId=arn, SecretString='{"username": "rotating", "password": "Second-2"}')
    assert refused(lambda: bench.client(proxy, user="rotating", password="First-1")).args[0] == 1045
    assert one(bench.client(proxy, user="rotating", password="Second-2"), "SELECT CURRENT_USER()") == "rotating@%"


def test_an_unknown_database_at_login_is_mysqls_error(bench: Bench) -> None:
    error = refused(lambda: bench.client(bench.proxy(), database="nosuch"))
    assert error.args == (1049, "Unknown database 'nosuch'")


def test_a_client_asking_for_tls_is_told_the_proxy_has_none(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy()

    async def ask() -> tuple[int, bytes, bool]:
        client, _ = await RawClient.open(proxy)
        try:
            await client.send(1, ssl_request())
            seq, answer = await client.read()
            return seq, answer, await client.closed_by_proxy()
        finally:
            client.close()

    seq, answer, closed = lab.run(ask())
    assert seq == 2 and answer[:9] == b"\xff" + (1045).to_bytes(2, "little") + b"#28000"
    assert p.error_message(answer) == "(1045) pocketcloud's RDS Proxy does not offer TLS"
    assert closed, "the proxy ends the connection after refusing"


@pytest.mark.parametrize(
    ("source", "database", "error"),
    [
        ("127.0.0.5", None, f"(1045) Access denied for user '{USER}'@'127.0.0.5' (using password: YES)"),
        ("127.0.0.1", "nosuch", "(1049) Unknown database 'nosuch'"),
    ],
)
def test_a_refused_login_is_answered_and_the_connection_closed(
    lab: ProxyLab, bench: Bench, source: str, database: str | None, error: str
) -> None:
    proxy = bench.proxy()
    password = "not-it" if database is None else PASSWORD

    async def login() -> tuple[bytes, bool]:
        client, salt = await RawClient.open(proxy, source)
        try:
            await client.send(1, p.handshake_response(USER, password, salt, database))
            _, answer = await client.read()
            return answer, await client.closed_by_proxy()
        finally:
            client.close()

    answer, closed = lab.run(login())
    assert p.error_message(answer) == error
    assert answer[3:9] == (b"#28000" if database is None else b"#42000")
    assert closed


@pytest.mark.parametrize("password", [PASSWORD, "not-it"])
def test_a_client_offering_another_auth_plugin_is_switched_to_native_password(
    lab: ProxyLab, bench: Bench, password: str
) -> None:
    proxy = bench.proxy()

    async def login() -> tuple[tuple[int, bytes], bytes, tuple[int, bytes]]:
        client, salt = await RawClient.open(proxy)
        try:
            await client.send(1, login_with_plugin(USER, b"caching_sha2_password", b"\x01" * 32))
            switch = await client.read()
            await client.send(switch[0] + 1, p.scramble_password(password, salt))
            return switch, salt, await client.read()
        finally:
            client.close()

    (seq, switch), salt, (answer_seq, answer) = lab.run(login())
    assert (seq, switch) == (2, b"\xfe" + p.NATIVE_PASSWORD + b"\x00" + salt + b"\x00")
    assert answer_seq == 4
    if password == PASSWORD:
        assert answer[:1] == b"\x00" and p.ok_status(answer) == p.STATUS_AUTOCOMMIT
    else:
        assert p.error_message(answer).startswith("(1045) Access denied")


def test_each_client_has_its_character_set_on_every_connection(bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=5)  # one connection, shared
    modern = bench.client(proxy)  # pymysql names utf8mb4 at login, then sends SET NAMES utf8mb4
    assert one(modern, "SELECT @@character_set_client") == "utf8mb4", "the proxy's new connection is utf8mb4"
    latin = bench.client(proxy, charset="latin1")
    assert one(latin, "SELECT @@character_set_client") == "latin1"
    assert one(modern, "SELECT @@character_set_client") == "utf8mb4"


@pytest.mark.parametrize(("collation", "charset"), [(8, "latin1"), (33, "utf8mb3"), (255, "utf8mb4")])
def test_a_character_set_named_only_at_login_is_the_sessions(
    lab: ProxyLab, bench: Bench, collation: int, charset: str
) -> None:
    # Clients such as the mysql CLI name their character set in the handshake (a collation id) and send no SET NAMES.
    proxy = bench.proxy(max_connections_percent=5)

    async def ask() -> bytes:
        client, salt = await RawClient.open(proxy)
        try:
            login = bytearray(p.handshake_response(USER, PASSWORD, salt))
            login[8] = collation
            await client.send(1, bytes(login))
            await client.read()
            return await client.value("SELECT @@character_set_client")
        finally:
            client.close()

    assert lab.run(ask()).decode() == charset


# -- multiplexing -------------------------------------------------------------------------------------


def test_clients_take_turns_on_one_connection_between_transactions(lab: ProxyLab, bench: Bench) -> None:
    # RDS Proxy guide: without session state, a connection goes back to the pool when a transaction ends.
    proxy = bench.proxy(max_connections_percent=10)  # 2 of the DB's 20
    clients = [bench.client(proxy) for _ in range(4)]
    seen = {backend_of(client) for _ in range(2) for client in clients}
    assert len(seen) == 1, seen
    assert lab.backend_ids() == seen
    assert bench.settled(proxy) == (1, 1)


def test_a_transaction_keeps_its_connection_until_it_ends(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=10)
    writer, reader = bench.client(proxy, autocommit=False), bench.client(proxy)
    with writer.cursor() as cursor:
        cursor.execute("DELETE FROM items WHERE id = 7")
        writer.commit()
        cursor.execute("INSERT INTO items VALUES (7)")
        mine = backend_of(writer)
        assert backend_of(reader) != mine, "the open transaction's connection is not lent to another client"
        assert one(reader, "SELECT COUNT(*) FROM items WHERE id = 7") == 0, "uncommitted rows are invisible"
        assert backend_of(writer) == mine
        writer.commit()
    assert one(reader, "SELECT COUNT(*) FROM items WHERE id = 7") == 1
    assert backend_of(reader) == mine, "after COMMIT the connection is back in the pool and lent again"


def test_autocommit_off_is_the_clients_own_and_replayed_on_each_connection(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=5)
    manual, auto = bench.client(proxy, autocommit=False), bench.client(proxy)
    assert manual.get_autocommit() is False, "the proxy's OK carries the client's autocommit"
    assert one(manual, "SELECT @@autocommit") == 0
    manual.commit()
    assert one(auto, "SELECT @@autocommit") == 1, "the next client's statement runs with autocommit on"
    assert bench.pool(proxy).size == 1
    for value, expected in (("ON", True), ("0", False), ("true", True), ("OFF", False), ("1", True)):
        one(manual, f"SET SESSION autocommit = {value}")
        assert manual.get_autocommit() is expected, value
    assert bench.pinned(proxy) == [False, False], "autocommit does not pin"


def test_set_autocommit_inside_a_transaction_reaches_the_database(bench: Bench) -> None:
    # Switching autocommit from 0 to 1 commits the open transaction in MySQL: the proxy must not answer it there.
    proxy = bench.proxy(max_connections_percent=10)
    writer, reader = bench.client(proxy, autocommit=False), bench.client(proxy)
    one(reader, "DELETE FROM items WHERE id = 8")
    one(writer, "INSERT INTO items VALUES (8)")
    one(writer, "SET autocommit = 1")
    assert one(reader, "SELECT COUNT(*) FROM items WHERE id = 8") == 1


def test_set_names_is_replayed_not_pinned(bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=5)
    first, second = bench.client(proxy), bench.client(proxy)
    one(first, "SET NAMES 'latin1' COLLATE 'latin1_swedish_ci'")
    assert one(first, "SELECT @@character_set_client") == "latin1"
    assert one(second, "SELECT @@character_set_client") == "utf8mb4"
    assert one(first, "SELECT @@character_set_results") == "latin1"
    assert bench.pinned(proxy) == [False, False]


def test_the_clients_database_follows_it_to_every_connection(bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=5)
    moved, stayed, third = bench.client(proxy), bench.client(proxy), bench.client(proxy)
    one(moved, "USE `other`")
    assert one(moved, "SELECT DATABASE()") == "other"
    assert one(stayed, "SELECT DATABASE()") == DATABASE
    assert refused(lambda: one(moved, "USE nosuch")).args[0] == 1049
    assert one(moved, "SELECT DATABASE()") == "other", "a failed USE changes nothing"
    stayed.select_db("other")  # COM_INIT_DB, as drivers switch databases
    assert one(third, "SELECT DATABASE()") == DATABASE
    assert one(stayed, "SELECT DATABASE()") == "other"
    assert one(moved, "USE app") is None
    assert one(stayed, "SELECT DATABASE()") == "other"
    assert refused(lambda: stayed.select_db("nosuch")).args[0] == 1049
    assert one(stayed, "SELECT DATABASE()") == "other"


# -- pinning ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "SET @owner = 'me'",
        "CREATE TEMPORARY TABLE scratch (id INT)",
        "SELECT GET_LOCK('lab', 1)",
        "PREPARE s FROM 'SELECT 1'",
    ],
)
def test_session_state_pins_the_client_to_its_connection_until_it_ends(
    lab: ProxyLab, bench: Bench, statement: str
) -> None:
    # RDS Proxy guide, "Avoiding pinning": such state stays on one connection, which no other client gets.
    proxy = bench.proxy(max_connections_percent=10)
    stateful, other = bench.client(proxy), bench.client(proxy)
    one(stateful, statement)
    pinned = backend_of(stateful)
    assert lab.on_loop(proxy.sample)["DatabaseConnectionsCurrentlySessionPinned"] == 1
    assert backend_of(other) != pinned
    assert backend_of(stateful) == pinned
    stateful.close()
    bench.closed(pinned)  # a pinned connection is closed with its session, its state with it
    assert lab.on_loop(proxy.sample)["DatabaseConnectionsCurrentlySessionPinned"] == 0


def test_a_prepared_statement_pins(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=10)
    other = bench.client(proxy)
    raw: list[RawClient] = []

    async def prepare() -> bytes:
        client, salt = await RawClient.open(proxy)
        raw.append(client)
        await client.send(1, p.handshake_response(USER, PASSWORD, salt, DATABASE))
        await client.read()
        await client.send(0, bytes([0x16]) + b"SELECT 1")  # COM_STMT_PREPARE
        _, answer = await client.read()
        await client.read()  # the column's definition
        await client.read()  # EOF
        return answer

    async def reset_and_ask() -> tuple[bytes, bytes]:
        client = raw[0]
        await client.send(0, b"\x1f")  # COM_RESET_CONNECTION
        _, ok = await client.read()
        return ok, await client.value("SELECT DATABASE()")

    try:
        assert lab.run(prepare())[:1] == b"\x00"
        assert sorted(bench.pinned(proxy)) == [False, True]
        held = backend_of(other)
        assert len(lab.backend_ids()) == 2, "the prepared statement's connection stays with its session"
        ok, database = lab.run(reset_and_ask())
        assert ok[:1] == b"\x00" and database == DATABASE.encode(), "a reset keeps the session's database"
        assert bench.pinned(proxy) == [False, False]
        assert backend_of(other) == held
    finally:
        lab.on_loop(raw[0].close)


def test_a_user_variable_keeps_its_value_across_transactions(bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=10)
    stateful, other = bench.client(proxy), bench.client(proxy)
    one(stateful, "SET @n = 41")
    begin(other)  # the other connection is held by a transaction
    assert one(stateful, "SELECT @n + 1") == 42
    other.commit()


def test_a_pinned_client_resetting_its_connection_is_unpinned_with_fresh_state(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=10)
    conn = bench.client(proxy, autocommit=False, charset="latin1")
    one(conn, "SET @kept = 1")
    pinned = backend_of(conn)
    one(conn, "SET NAMES utf8mb4")
    conn._execute_command(0x1F, b"")  # COM_RESET_CONNECTION: pymysql has no public call for it
    conn._read_ok_packet()
    assert conn.get_autocommit() is True
    assert bench.pinned(proxy) == [False]
    bench.closed(pinned)  # the connection holding the old state
    assert one(conn, "SELECT @kept, @@autocommit, @@character_set_client") == (None, 1, "latin1")


# -- borrowing ----------------------------------------------------------------------------------------


def test_the_pool_holds_max_connections_percent_of_the_dbs_max_connections(lab: ProxyLab, bench: Bench) -> None:
    # MaxConnectionsPercent: the pool's size as a percentage of the DB's max_connections (20 here), rounded down.
    proxy = bench.proxy(max_connections_percent=15, borrow_timeout=0.2)
    assert proxy.pool_limit == 3
    holders = [bench.client(proxy) for _ in range(4)]
    held = {begin(conn) for conn in holders[:3]}
    assert len(held) == 3
    error = refused(lambda: backend_of(holders[3]))
    assert error.args == (9501, "Timed-out waiting to acquire database connection")
    assert lab.backend_ids() == held
    holders[0].commit()
    assert backend_of(holders[3]) in held


def test_a_waiting_client_gets_the_connection_another_transaction_frees(lab: ProxyLab, bench: Bench) -> None:
    # ConnectionBorrowTimeout: a client waits while every connection is busy, and is served when one frees up.
    proxy = bench.proxy(max_connections_percent=5, borrow_timeout=2 * PATIENCE)
    holder, waiter = bench.client(proxy), bench.client(proxy)
    mine = begin(holder)
    requests = lab.on_loop(lambda: proxy.query_requests)
    got: list[int] = []
    thread = threading.Thread(target=lambda: got.append(backend_of(waiter)))
    thread.start()
    wait_until(lambda: lab.on_loop(lambda: proxy.query_requests) > requests, PATIENCE, "the waiter's request", 0.01)
    holder.commit()
    thread.join(30)
    assert got == [mine]


def test_a_client_gone_mid_transaction_rolls_back_and_its_connection_is_closed(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=10)
    leaver, stayer = bench.client(proxy, autocommit=False), bench.client(proxy)
    one(stayer, "DELETE FROM items WHERE id = 9")
    one(leaver, "INSERT INTO items VALUES (9)")
    gone = backend_of(leaver)
    leaver.close()
    bench.closed(gone)
    assert one(stayer, "SELECT COUNT(*) FROM items WHERE id = 9") == 0


def test_sql_errors_are_relayed_and_the_connection_goes_back_to_the_pool(bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=5)
    conn = bench.client(proxy)
    error = refused(lambda: one(conn, "SELECT * FROM missing_table"))
    assert error.args == (1146, f"Table '{DATABASE}.missing_table' doesn't exist")
    assert bench.settled(proxy) == (1, 1)
    assert one(conn, "SELECT 6 * 7") == 42


def test_connections_the_database_dropped_while_pooled_are_replaced_unnoticed(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=10)
    conn, other = bench.client(proxy), bench.client(proxy)
    pooled = {begin(conn), begin(other)}
    conn.commit()
    other.commit()
    for backend in pooled:  # as a DB restart or wait_timeout closes idle connections
        lab.admin_sql(f"KILL {backend}")
        bench.closed(backend)
    assert backend_of(conn) not in pooled, "the statement ran on a new connection, without an error"
    assert bench.pool(proxy).size == 1


def test_a_clients_quit_does_not_reach_the_pooled_connection(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=5)
    leaving = bench.client(proxy)
    pooled = backend_of(leaving)
    leaving.close()  # COM_QUIT
    bench.sessions_ended(proxy)
    assert backend_of(bench.client(proxy)) == pooled
    assert lab.on_loop(proxy.sample)["QueryRequests"] == 4  # SET NAMES and SELECT of each client, not the quit


def test_session_state_is_replayed_only_where_a_connection_differs(bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=5)
    latin = bench.client(proxy, charset="latin1", autocommit=False)
    count = "SHOW SESSION STATUS LIKE 'Com_set_option'"
    first = one(latin, count)
    latin.commit()
    assert one(latin, count) == first, "the connection already had the session's character set and autocommit"


def test_text_in_the_clients_character_set_passes_unchanged(bench: Bench) -> None:
    latin = bench.client(bench.proxy(), charset="latin1")
    assert one(latin, "SELECT 'caf\u00e9 cr\u00e8me'") == "caf\u00e9 cr\u00e8me"  # not valid UTF-8 on the wire
    assert one(latin, "SELECT @n := 'na\u00efve'") == "na\u00efve"


def test_a_database_dropped_under_a_session_is_a_clear_error(lab: ProxyLab, bench: Bench) -> None:
    lab.admin_sql("CREATE DATABASE IF NOT EXISTS dropme")
    proxy = bench.proxy(max_connections_percent=10)
    mover, holder = bench.client(proxy), bench.client(proxy)
    one(mover, "USE dropme")
    lab.admin_sql("DROP DATABASE dropme")
    begin(holder)  # takes the idle connection, so the mover's next statement needs a new one
    error = refused(lambda: one(mover, "SELECT 1"))
    assert error.args == (1105, "pocketcloud RDS Proxy: unknown database 'dropme'")
    assert bench.pool(proxy).size == 1, "the new connection that could not switch was closed"


def test_a_connection_dropped_mid_transaction_is_an_error_and_the_next_statement_gets_a_new_one(
    lab: ProxyLab, bench: Bench
) -> None:
    proxy = bench.proxy(max_connections_percent=10)
    conn = bench.client(proxy)
    first = begin(conn)
    lab.admin_sql(f"KILL {first}")
    bench.closed(first)
    error = refused(lambda: one(conn, "SELECT 1"))
    assert error.args[0] == 1105 and error.args[1].startswith("pocketcloud RDS Proxy: ")
    assert backend_of(conn) != first
    assert bench.pool(proxy).size == 1


def test_ping_needs_no_database_connection_and_reports_the_transaction(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=10)
    conn = bench.client(proxy, autocommit=False, database=None)  # a login into a database would borrow one
    lab.on_loop(proxy.sample)  # QueryRequests counts from here
    conn.ping(reconnect=False)
    assert bench.pool(proxy).size == 0
    assert conn.server_status & p.STATUS_IN_TRANS == 0
    one(conn, "SELECT COUNT(*) FROM app.items")
    conn.ping(reconnect=False)
    assert conn.server_status & p.STATUS_IN_TRANS, "the proxy's own OK says a transaction is open"
    assert lab.on_loop(proxy.sample)["QueryRequests"] == 3  # ping, SELECT, ping
    in_autocommit = bench.client(proxy, database=None)
    begin(in_autocommit)
    in_autocommit.ping(reconnect=False)
    assert in_autocommit.server_status & (p.STATUS_IN_TRANS | p.STATUS_AUTOCOMMIT) == 3


def test_an_idle_client_is_disconnected_after_the_idle_client_timeout(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy()
    proxy.idle_client_timeout = 0.2
    conn = bench.client(proxy)
    bench.sessions_ended(proxy)
    assert refused(lambda: one(conn, "SELECT 1")).args[0] in (2006, 2013)

    async def idle() -> bool:
        client, salt = await RawClient.open(proxy)
        try:
            await client.send(1, p.handshake_response(USER, PASSWORD, salt, DATABASE))
            await client.read()
            return await client.closed_by_proxy()
        finally:
            client.close()

    assert lab.run(idle()), "the proxy closes an idle client's connection"


def test_a_stopped_target_gives_a_clear_error_and_no_connection_is_kept(
    lab: ProxyLab, bench: Bench, tmp_path: Path
) -> None:
    stopped = DbServer(lab.db.binary, tmp_path, 1, 20, USER, PASSWORD, DATABASE)
    proxy = lab.new_proxy(target=stopped)
    bench.proxies.append(proxy)
    conn = bench.client(proxy, database=None)
    error = refused(lambda: one(conn, "SELECT 1"))
    assert error.args == (1105, "pocketcloud RDS Proxy: the proxy's target DB instance is not available")
    assert bench.pool(proxy).size == 0
    assert refused(lambda: one(conn, "SELECT 1")).args[0] == 1105


def test_the_init_query_runs_on_every_new_connection(bench: Bench) -> None:
    proxy = bench.proxy(init_query=" SET SESSION wait_timeout = 1234 ;; SET SESSION net_read_timeout = 77; ")
    conn = bench.client(proxy)
    assert one(conn, "SELECT @@wait_timeout, @@net_read_timeout") == (1234, 77)


def test_a_failing_init_query_is_an_error_and_frees_its_place(lab: ProxyLab, bench: Bench) -> None:
    proxy = bench.proxy(max_connections_percent=5, init_query="SET SESSION no_such_variable = 1")
    conn = bench.client(proxy, database=None)
    error = refused(lambda: one(conn, "SELECT 1"))
    assert error.args == (1105, "pocketcloud RDS Proxy: state replay failed: SET SESSION no_such_variable = 1")
    wait_until(lambda: not lab.backend_ids(), PATIENCE, "the failed connection to be closed", 0.01)
    proxy.configure(5, None, 30, "SET SESSION wait_timeout = 99")
    assert one(conn, "SELECT @@wait_timeout") == 99, "the one place in the pool was given back"


def test_the_proxys_own_errors_carry_sqlstate_hy000(lab: ProxyLab, bench: Bench, tmp_path: Path) -> None:
    busy = bench.proxy(max_connections_percent=5, borrow_timeout=0.2)
    holder = bench.client(busy)
    begin(holder)
    stopped = lab.new_proxy(target=DbServer(lab.db.binary, tmp_path, 1, 20, USER, PASSWORD, DATABASE))
    bench.proxies.append(stopped)

    async def error_of(proxy: DbProxy) -> bytes:
        client, salt = await RawClient.open(proxy)
        try:
            await client.send(1, p.handshake_response(USER, PASSWORD, salt))
            await client.read()
            await client.send(0, b"\x03SELECT 1")
            return (await client.read())[1]
        finally:
            client.close()

    assert lab.run(error_of(busy))[:9] == b"\xff" + (9501).to_bytes(2, "little") + b"#HY000"
    assert lab.run(error_of(stopped))[:9] == b"\xff" + (1105).to_bytes(2, "little") + b"#HY000"


def test_a_database_switch_is_not_repeated_on_the_connection_that_made_it(bench: Bench) -> None:
    conn = bench.client(bench.proxy(max_connections_percent=5))
    count = "SHOW SESSION STATUS LIKE 'Com_change_db'"
    before = int(one(conn, count)[1])
    assert before == 1, "the login's switch to its database, not repeated for the first statement"
    one(conn, "USE other")
    assert int(one(conn, count)[1]) == before + 1
    conn.select_db(DATABASE)
    assert int(one(conn, count)[1]) == before + 2
