# %% [markdown]
# # Module 3: safer, leaner database access
#
# In module 2 the function found the database password in its environment variables, copied there at
# deploy time, and it logged in as the database's master user. Anyone who can read the function's
# configuration can read the password, and every function environment opens its own connection. In
# this module you fix both:
#
# 1. **Secrets Manager** keeps the credentials; the function reads them when it starts. Its IAM role may
#    read **that one secret**, nothing else.
# 2. The API logs in as its **own database user** that may only read, not as the master user.
# 3. **RDS Proxy** sits between the functions and MySQL and shares a small pool of database connections
#    among all of them.
#
# Then you **measure** why the proxy matters: many simultaneous invocations connecting directly run
# into the database's connection limit, the same invocations through the proxy do not.
#
# **Time**: about 3 minutes on the local target, about 20 minutes on AWS (creating the proxy takes
# several minutes).
#
# **Cost on AWS** of what this module adds, at list prices (the RDS instance is module 2's):

# %%
import datetime as dt
import json
import time

import pandas as pd
from IPython.display import Markdown, display

import helpers
from helpers import aws, measure, views
from helpers.modules import m3_secrets_and_proxy as m3

views.tables.price_table(["rds_proxy", "secrets", "vpc_endpoint", "lambda", "rds"])

# %% [markdown]
# ## Setup
#
# `helpers.connect()` picks the target (pocketcloud on this machine, or your AWS account) and prints it.
# `m3.module2(ws)` makes sure module 2's VPC, database, function and API exist (creating them if you
# start here), and returns their names.

# %%
ws = helpers.connect()
m2 = m3.module2(ws)
n = m3.names(ws)
views.tables.names_table(
    {
        ws.say("m3.row.function"): m2.function,
        ws.say("m3.row.api"): m2.api_url,
        ws.say("m3.row.db_instance"): m2.db_instance,
        ws.say("m3.row.master_secret"): m2.master_secret_arn,
    }
)

# %% [markdown]
# ## Architecture
#
# What is deployed now, read from the target: module 2's API, function and database (the function still
# connects straight to MySQL). The title names what this module adds: the app secret, which the function
# will read, and RDS Proxy, which will hold the connections to MySQL. The figure is drawn again at the end
# with everything in place.

# %%
m3.architecture_figure(ws, m2).show()

# %% [markdown]
# Parameters of the measurement in step 7. `USER_LIMIT` caps how many connections the application's
# database user may hold at once (MySQL's `MAX_USER_CONNECTIONS`); it stands in for a small database's
# `max_connections` so the effect shows with a few dozen invocations. `INVOCATIONS` is how many calls run
# at the same moment, and each keeps its connection busy for `HOLD_S` seconds.

# %%
USER_LIMIT = m3.default_user_limit(ws)
INVOCATIONS = ws.default(local=24, aws=60)
HOLD_S = ws.default(local=1.5, aws=2.0)

# %% [markdown]
# ## Step 1: the credentials in Secrets Manager
#
# A secret for the application's database user, in the JSON format RDS uses for database credentials
# (`engine`, `host`, `port`, `username`, `password`, `dbname`). Secrets Manager generates the password;
# nobody types it and it appears in no code or notebook. Module 2 already stored the master user's
# credentials the same way.

# %%
app_secret_arn = m3.ensure_app_secret(ws, m2)
value = aws.secrets.read_secret(ws, app_secret_arn)
{key: ("*" * 8 if key == "password" else val) for key, val in value.items()}

# %%
ws.check({"engine", "host", "port", "username", "password", "dbname"} <= set(value), "m3.rds_format")

# %% [markdown]
# ## Step 2: a private path to Secrets Manager
#
# Functions in private subnets have no route to the internet, and Secrets Manager is an internet-facing
# AWS endpoint. An **interface VPC endpoint** puts a private address for Secrets Manager into the subnets
# (about USD 0.01 per hour per availability zone, so about USD 15 a month for two). The alternative, a NAT
# gateway, costs more (about USD 0.045 per hour plus data). The endpoint has its own security group that
# admits HTTPS from the functions' group: a security group admits nothing it does not name, so without
# that rule every secret read from the VPC would wait until it timed out. Every step below that runs a
# function in the VPC needs this path, so it comes first, and the cell waits until the endpoint is
# `available`. pocketcloud enforces all of this as AWS does.

# %%
endpoint_id = aws.network.ensure_secrets_endpoint(ws, m2.vpc_id, m2.subnet_ids, m2.endpoint_security_group_ids)
endpoint = ws.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
{k: endpoint.get(k) for k in ("VpcEndpointId", "ServiceName", "VpcEndpointType", "State", "PrivateDnsEnabled")}

# %% [markdown]
# ## Step 3: the application's own database user
#
# The database is in private subnets, reachable only from inside the VPC, so a small one-off function
# (with its own role, the only one allowed to read the master secret) logs in as the master user and
# creates the `app` user: it may read the workshop database, nothing more, and hold at most `USER_LIMIT`
# connections. User names and the password go to MySQL as query parameters, never pasted into SQL.

# %%
views.tables.show_code("db_setup")

# %%
app_user = m3.ensure_app_user(ws, m2, app_secret_arn, USER_LIMIT)
app_user

# %% [markdown]
# Trust, but verify: a second one-off function logs in **as the app user** and asks MySQL what that user may
# do (`SHOW GRANTS`), then tries to create a table. The connection cap shows its effect in step 7.

# %%
granted_in_mysql = m3.check_app_user(ws, m2, app_secret_arn)
granted_in_mysql

# %%
app_grants = [g for g in granted_in_mysql["grants"] if not g.startswith("GRANT USAGE ON *.*")]
ws.check(
    len(app_grants) == 1 and app_grants[0].startswith(f"GRANT SELECT ON `{value['dbname']}`.*"),
    "m3.one_privilege",
    dbname=value["dbname"],
)
ws.check(granted_in_mysql["write"]["refused"], "m3.write_refused", write=granted_in_mysql["write"])

# %% [markdown]
# ## Step 4: least privilege for the function
#
# The function needs to read one secret, so its role gets exactly that: `secretsmanager:GetSecretValue` on
# the ARN of that secret. The shortcut you will find in many tutorials, attaching the AWS managed policy
# `SecretsManagerReadWrite`, lets the function read **and change** every secret in the account: a bug or
# an injected dependency could then read the master password. Don't.

# %%
policy = m3.function_secret_policy(ws, m2.role_name, app_secret_arn)
print(json.dumps(policy, indent=2))

# %%
granted = aws.iam.role_policies(ws, m2.role_name)
granted["managed"]

# %%
secret_statements = [
    s for doc in granted["inline"].values() for s in doc["Statement"] if "secretsmanager" in str(s["Action"])
]
ws.check(
    len(secret_statements) == 1 and secret_statements[0]["Resource"] == app_secret_arn,
    "m3.only_app_secret",
)
ws.check(not any("SecretsManagerReadWrite" in arn for arn in granted["managed"]), "m3.no_broad_policy")

# %% [markdown]
# ## Step 5: RDS Proxy
#
# The proxy gets its own IAM role that may read the same secret (it checks the passwords clients send and
# logs in to MySQL with them). Its pool may use at most `MaxConnectionsPercent` of the instance's
# `max_connections`; we choose the share that keeps the pool within the app user's limit. Creating a proxy
# takes a few minutes on AWS.

# %%
proxy = m3.ensure_proxy(ws, m2, app_secret_arn, USER_LIMIT, app_user["max_connections"])
target_group = ws.client("rds").describe_db_proxy_target_groups(DBProxyName=proxy["DBProxyName"])["TargetGroups"][0]
pool = target_group["ConnectionPoolConfig"]
views.tables.facts_table(
    {
        ws.say("m3.proxy.proxy"): proxy["DBProxyName"],
        ws.say("m3.proxy.status"): proxy["Status"],
        ws.say("m3.proxy.endpoint"): proxy["Endpoint"],
        ws.say("m3.proxy.max_connections"): app_user["max_connections"],
        "MaxConnectionsPercent": pool["MaxConnectionsPercent"],
        ws.say("m3.proxy.pool_size"): app_user["max_connections"] * pool["MaxConnectionsPercent"] // 100,
    }
)

# %%
print(json.dumps(aws.iam.role_policies(ws, n["proxy_role"])["inline"], indent=2))
ws.check(proxy["Status"] == "available", "m3.proxy_available")

# %% [markdown]
# ## Step 6: the function reads the secret and connects through the proxy
#
# The new handler. Everything still happens inside `lambda_handler` (module 4 measures what that costs):
# it fetches the secret, connects to the proxy, runs one parameterised query and closes the connection.
# The optional `?hold=` parameter keeps the query running a little longer, for the measurement below.

# %%
views.tables.show_code("db_time_v2")

# %%
db = m3.ensure(ws, m2, user_limit=USER_LIMIT)  # collects what the steps above created
m3.deploy_db_time(ws, db, "db_time_v2")
answer = aws.api.call_api(db.api_url)
print(ws.say("m3.http_answer", status=answer.status, latency_ms=answer.latency_ms, body=answer.body))
env = ws.client("lambda").get_function_configuration(FunctionName=db.function)["Environment"]["Variables"]
sorted(env)

# %%
ws.check(answer.status == 200 and answer.body.get("version") == "v2", "m3.v2_answers")
ws.check(
    env.get("DB_HOST") == db.proxy_endpoint and env.get("DB_PORT") == str(m3.PROXY_PORT),
    "m3.connects_to_proxy",
    endpoint=db.proxy_endpoint,
)
ws.check("DB_PASSWORD" not in env, "m3.no_password_env")

# %% [markdown]
# ### Changing the password: rotation
#
# A password that never changes is a risk that grows with time. Secrets Manager can **rotate** a secret on a
# schedule: it invokes a rotation function, a Lambda function (AWS publishes ready-made ones for RDS for MySQL,
# for one user or for two users used in turn), which makes a new password, sets it in MySQL and marks it as the
# secret's current version (`AWSCURRENT`); the old one stays readable as `AWSPREVIOUS`. What matters for the
# code is *when* it reads the secret. The v2 handler reads it on every call, so it uses a new password at once.
# RDS Proxy logs in to MySQL with the credentials it reads from the secret itself, not from a copy you handed
# it, so its clients keep working after a rotation (pocketcloud's proxy reads the secret at every login).
# Code that keeps the password from its cold start, as module 4's optimized handler will, keeps its open
# connection but must read the secret again before it opens a new one. The workshop does not turn rotation on.

# %% [markdown]
# ## Step 7: measure, direct connections against the proxy
#
# The same code deployed twice: the API's function connects through the proxy, a copy connects straight to
# the instance. Each receives `INVOCATIONS` calls at the same moment, every call holding its connection for
# `HOLD_S` seconds. First a warm-up starts `INVOCATIONS` execution environments for each function: rounds of
# the same held calls, repeated until a round needs no new environment (a quick warm-up call would hand its
# environment on to the next one, and Lambda adds new environments at a limited rate, throttling the rest).
# Only then does the measured round really run all its calls at once.

# %%
m3.deploy_db_time(ws, db, "db_time_v2", name=n["direct_function"], through_proxy=False)
lam = ws.client("lambda", retries=False)  # measured calls: one attempt each, so a throttled call shows as its 429
event = {"queryStringParameters": {"hold": str(HOLD_S)}}
start = dt.datetime.now(dt.UTC)
results, warmups = {}, {}
for fn in (n["direct_function"], db.function):
    # warm-up: INVOCATIONS environments idle and waiting, so that the measured calls overlap
    warmups[fn] = measure.warmup.start_environments(lam, fn, INVOCATIONS, event)
    # each call's start and end on this machine's clock, for the calls-in-flight chart below
    call = measure.inflight.stamped(lambda fn=fn: measure.invocations.timed_invoke(lam, fn, event), time.perf_counter())
    results[fn] = measure.invocations.burst(call, count=INVOCATIONS)
direct, pooled = results[n["direct_function"]], results[db.function]
end = dt.datetime.now(dt.UTC)
runs = pd.concat([direct.assign(path=ws.say("m3.path_direct")), pooled.assign(path=ws.say("m3.path_proxy"))])
runs["outcome"] = runs["body"].map(m3.outcome)
views.tables.readable(runs.groupby(["path", "outcome"]).size().unstack(fill_value=0))

# %%
errors_direct = int(direct["error"].notna().sum())
errors_proxy = int(pooled["error"].notna().sum())
direct_outcomes = direct["body"].map(m3.outcome)
ws.check(
    (direct_outcomes == "refused: too many connections").sum() > 0,
    "m3.direct_refused",
    count=INVOCATIONS,
    limit=USER_LIMIT,
)
ws.check(
    len(pooled) == INVOCATIONS and (pooled["body"].map(m3.outcome) == "succeeded").all(),
    "m3.proxy_all_succeed",
    count=INVOCATIONS,
)

# %% [markdown]
# The calls in flight, every tenth of a second, as this notebook saw them: directly, the calls beyond the
# limit are refused at once (red) while the others hold their connection; through the proxy, every call
# succeeds (green), the later ones after waiting for a free connection in the pool.

# %%
views.metrics.in_flight_figure(runs, ws.say("m3.in_flight_title", count=INVOCATIONS), limit=USER_LIMIT).show()

# %% [markdown]
# Why more direct calls can succeed than the limit allows, and why a refused call is not instant: every call
# first fetches the secret and logs in, and those logins do not all land at the same moment. A call that logged
# in early finishes its hold and closes its connection, and a late login takes the freed place. The numbers of
# this run:

# %%
direct_ok = direct[direct_outcomes == "succeeded"]
direct_refused = direct[direct_outcomes == "refused: too many connections"]
# a successful call's time before its query held the connection: secret fetch and login
setup_s = (direct_ok["duration_ms"] / 1000 - HOLD_S).median()
warm_direct = warmups[n["direct_function"]]
late = len(direct_ok) - USER_LIMIT
late_text = ws.say("m3.late_found_place", late=late) if late > 0 else ws.say("m3.late_none")
ws.check(
    all(w.ready for w in warmups.values()) and not runs["cold"].any(),
    "m3.warm_no_cold",
    count=INVOCATIONS,
)
display(
    Markdown(
        ws.say(
            "m3.burst_summary",
            rounds=warm_direct.rounds,
            cold=warm_direct.cold_starts,
            throttled=warm_direct.throttled,
            count=INVOCATIONS,
            spread_ms=(direct["start_s"].max() - direct["start_s"].min()) * 1000,
            ok=len(direct_ok),
            limit=USER_LIMIT,
            setup_s=setup_s,
            hold_s=HOLD_S,
            late_text=late_text,
            refused_s=direct_refused["duration_ms"].median() / 1000,
            refused_max_s=direct_refused["duration_ms"].max() / 1000,
        )
    )
)

# %% [markdown]
# What the proxy reported to CloudWatch over the whole measurement: `ClientConnections` are the functions
# connected to the proxy, `DatabaseConnections` the connections the proxy really opened to MySQL. CloudWatch
# keeps one value per minute, so for an experiment of seconds it gives totals, shown as bars. On AWS the
# instance's own `DatabaseConnections` appears too.

# %%
connections = measure.metrics.wait_for_metrics(
    ws,
    lambda: measure.metrics.rds_connection_metrics(
        ws.client("cloudwatch"), start, end, proxy_names=[db.proxy_name], db_instances=[db.db_instance]
    ),
    expect=("ClientConnections", "DatabaseConnections"),
    covers=end,
)
peaks = measure.metrics.metric_totals(connections)
views.metrics.totals_figure(
    peaks,
    ws.say("m3.peak_title"),
    y_title=ws.say("m3.connections"),
    limit=USER_LIMIT,
).show()

# %%
peak_db = peaks.get(f"DatabaseConnections ({db.proxy_name})", 0)
peak_clients = peaks.get(f"ClientConnections ({db.proxy_name})", 0)
ws.check(peak_clients > 0, "m3.clients_arrived")
ws.check(0 < peak_db <= USER_LIMIT, "m3.proxy_within_limit")

# %%
proxy_in_flight = measure.inflight.in_flight(pooled.assign(outcome="all"), step_s=0.1)["calls"].max()
display(
    Markdown(
        ws.say(
            "m3.gauge_summary",
            peak_clients=peak_clients,
            count=INVOCATIONS,
            in_flight=proxy_in_flight,
            peak_db=peak_db,
        )
    )
)

# %% [markdown]
# ## What you measured

# %%
outcomes = runs.groupby(["path", "outcome"]).size().rename("calls").reset_index()
views.metrics.bar_comparison(
    outcomes,
    ws.say("m3.outcomes_title", count=INVOCATIONS, hold_s=HOLD_S),
    value="calls",
    group="outcome",
    category="path",
    y_title=ws.say("m3.calls"),
).show()

# %%
display(
    Markdown(
        ws.say(
            "m3.outcome_summary",
            failed=errors_direct,
            count=INVOCATIONS,
            limit=USER_LIMIT,
            succeeded=INVOCATIONS - errors_proxy,
            clients=peaks.get(f"ClientConnections ({db.proxy_name})", 0),
            peak_db=peak_db,
            slowest_s=pooled["latency_ms"].max() / 1000,
        )
    )
)

# %%
m3.architecture_figure(ws, db).show()

# %% [markdown]
# ## Beyond connection counts: churn and failover
#
# A pool does more than keep the number of connections down. Opening a MySQL connection is a conversation: the
# TCP handshake, the server's greeting, the login (MySQL 8.4's `caching_sha2_password` exchange), a new session
# on the server. A query on a connection that is already open is one request and one answer. A function that
# connects inside its handler pays for a login on every call, and so does the database, in CPU and memory for
# every connection it sets up and tears down: that is **connection churn**. A one-off function in the VPC
# times both here, straight to the instance and through the proxy, as the app user, and is deleted afterwards.

# %%
cost = measure.churn.connection_cost(
    ws,
    ws.name("db-connect-cost"),
    role=db.role_name,
    secret_arn=db.app_secret_arn,
    targets={
        ws.say("m3.path_direct_short"): (value["host"], int(value["port"])),
        ws.say("m3.path_proxy"): (db.proxy_endpoint, m3.PROXY_PORT),
    },
    layers=db.layer_arns,
    subnet_ids=db.subnet_ids,
    security_group_ids=db.security_group_ids,
)
medians = cost.groupby(["path", "step"])["ms"].median().unstack()
views.tables.readable(medians)

# %%
login_ms = medians.loc[ws.say("m3.path_direct_short"), measure.churn.CONNECT]
query_ms = medians.loc[ws.say("m3.path_direct_short"), measure.churn.QUERY]
ws.check(login_ms > query_ms, "m3.login_costs_more")
display(
    Markdown(
        ws.say(
            "m3.login_summary",
            login_ms=login_ms,
            query_ms=query_ms,
            ratio=login_ms / query_ms,
            proxy_login_ms=medians.loc[ws.say("m3.path_proxy"), measure.churn.CONNECT],
            proxy_query_ms=medians.loc[ws.say("m3.path_proxy"), measure.churn.QUERY],
        )
    )
)

# %% [markdown]
# **Faster failover** (AWS's claim; not measured here, pocketcloud runs a single instance without a standby).
# A Multi-AZ database fails over to its standby when the primary fails; the instance's DNS name then points to
# the new primary, and AWS documents 60 to 120 seconds for a Multi-AZ DB instance failover. Clients connected
# straight to the instance lose their connections and must wait for the name to change before they can log in
# again. RDS Proxy keeps the clients' connections open and connects to the new primary itself; AWS states on
# its RDS Proxy page that this cuts failover times for RDS and Aurora by up to 66 %.

# %% [markdown]
# ## Clean up
#
# This removes the comparison function and the one-off setup function. The secret, the app user and the
# proxy stay, because modules 4 and 5 use them; on AWS the proxy costs about USD 0.03 per hour while it
# exists. `99_cleanup.ipynb` removes everything the workshop created.

# %%
removed = m3.cleanup(ws, db, keep_for_next_modules=True)
ws.check(
    not any(aws.lambdas.function_exists(ws, n[key]) for key in ("direct_function", "setup_function", "check_function")),
    "m3.functions_gone",
)
ws.check(aws.proxy.describe_proxy(ws, db.proxy_name) is not None, "m3.proxy_stays")
