# %% [markdown]
# # Module 5: tracing with AWS X-Ray
#
# Averages tell you *that* a request was slow; a trace tells you *where* the time went. X-Ray follows one
# request through every service it touches: API Gateway, the Lambda service, your function, and the SQL
# query your function runs. In this module you:
#
# 1. turn on tracing for the API stage and for the function, and add the X-Ray SDK to the function;
# 2. call the API and fetch the traces;
# 3. draw the **service map** (who calls whom, how often, how fast) and a **trace timeline** (one request,
#    segment by segment, with the cold start's `Initialization` and the SQL query visible);
# 4. optionally, trace a short load test and compare the latency of each segment.
#
# **Time**: about 3 minutes on the local target, about 10 minutes on AWS (traces become searchable some
# seconds after a request ends).
#
# **Cost on AWS**: X-Ray charges per trace recorded and retrieved; the default sampling rule records the
# first request each second and 5% of the rest, which keeps this module within the free tier.

# %%
import datetime as dt

import pandas as pd
from IPython.display import Markdown, display

import helpers
from helpers import aws, measure, views
from helpers.modules import m5_tracing as m5

views.tables.price_table(["xray", "lambda", "api_gateway", "rds", "rds_proxy"])

# %% [markdown]
# ## Setup
#
# `helpers.connect()` picks the target and prints it; `m5.ensure(ws)` makes sure modules 2 and
# 3 are in place (API, function, database, secret, RDS Proxy) and creates what is missing.

# %%
ws = helpers.connect()
db = m5.ensure(ws)
xray = ws.client("xray")
db.describe()

# %% [markdown]
# ## Architecture
#
# The traced path, drawn from the deployed resources. The X-Ray daemon that Lambda runs next to your
# function receives the segments over UDP and forwards them to the X-Ray service; API Gateway and Lambda
# send their own segments directly.

# %%
m5.architecture_figure(ws, db).show()

# %% [markdown]
# ## Step 1: turn tracing on
#
# Three switches:
#
# - **API Gateway stage tracing**: the stage records a segment for every sampled request and passes the
#   trace id on to Lambda in the `X-Amzn-Trace-Id` header.
# - **Lambda active tracing** (`TracingConfig: Active`): Lambda records a segment for the service and one
#   for the function, with `Initialization` (cold starts only), `Invocation` and `Overhead` inside.
#   The function's role needs the managed policy `AWSXRayDaemonWriteAccess` to send them.
# - **The X-Ray SDK in your code**: `patch_all()` wraps boto3 and pymysql so each call becomes a
#   subsegment. The SDK comes from a Lambda layer, like pymysql in module 2.
#
# Here is the traced handler: module 4's optimized code plus a few lines. We deploy it as a new function,
# `sas-db-time-traced`, created with active tracing, and switch the API's integration to it; the clean-up at
# the end switches back.

# %%
views.tables.show_code("db_time_v4_traced")

# %%
xray_layer = aws.layers.build_layer(ws, m5.names(ws)["xray_layer"], ["aws-xray-sdk", "wrapt"])
config = m5.enable_tracing(ws, db, xray_layer)
stage = aws.api.get_stage(ws, db.api_url)
views.tables.facts_table(
    {
        ws.say("m5.row.function"): config["FunctionName"],
        ws.say("m5.row.function_tracing"): config["TracingConfig"]["Mode"],
        ws.say("m5.row.layers"): ", ".join(layer["Arn"].split(":")[-2] for layer in config["Layers"]),
        ws.say("m5.row.stage_tracing"): stage.get("tracingEnabled", False),
    }
)

# %%
ws.check(config["TracingConfig"]["Mode"] == "Active", "m5.lambda_tracing_on")
ws.check(stage.get("tracingEnabled") is True, "m5.stage_tracing_on")

# %% [markdown]
# ## Step 2: call the API
#
# The traced function is new, so the first call is a cold start. Normally X-Ray's sampling rule decides
# which requests to trace (by default the first each second and 5% of the rest). Here the notebook starts
# each trace itself: it sends an `X-Amzn-Trace-Id` header with a new trace id and `Sampled=1`, and every
# service on the way keeps that decision, so each of these calls is traced and we know its trace id.
#
# How the **sampling rules** work: each rule has a *reservoir*, a fixed number of requests per second it always
# traces, and a *fixed rate*, the share of the requests beyond the reservoir it traces too. X-Ray's default rule
# is a reservoir of 1 per second and a rate of 5 %: at 1 request per second every request is traced, at 100 per
# second about 6 of them. You can add your own rules (by service, host, path or method, with a priority) to
# trace more of a rare path or less of a noisy one; the first matching rule by priority decides. Sampling keeps
# the cost of tracing bounded, and it means a trace shows typical requests, not every request.

# %%
CALLS = 5

calls = [measure.traces.call_traced(db.api_url) for _ in range(CALLS)]
answers = [answer for answer, _ in calls]
trace_ids = [trace_id for _, trace_id in calls]
views.tables.readable(
    pd.DataFrame(
        {
            ws.say("m5.col.trace_id"): trace_ids,
            ws.say("m5.col.status"): [a.status for a in answers],
            "latency_ms": [round(a.latency_ms, 1) for a in answers],
            ws.say("m5.col.version"): [a.body.get("version") if isinstance(a.body, dict) else None for a in answers],
        }
    )
)

# %%
ws.check(all(a.status == 200 for a in answers), "m5.all_200")

# %% [markdown]
# ## Step 3: fetch the traces
#
# `GetTraceSummaries` lists the traces of a time window; `BatchGetTraces` returns their segment documents.
# Each document is JSON: an id, a name, start and end times, and nested subsegments.

# %%
traces = measure.traces.wait_for_traces(ws, ids=trace_ids)
by_id = {t["Id"]: t for t in traces}
cold_trace = by_id.get(trace_ids[0], traces[0])  # the first call's trace: the new function's cold start
cold = measure.traces.segments_frame(cold_trace)
views.tables.readable(cold[["label", "start_ms", "duration_ms", "sql"]])

# %%
ws.check(len(traces) >= CALLS, "m5.trace_per_call", count=CALLS)
ws.check(
    cold["origin"].isin(["AWS::ApiGateway::Stage", "AWS::Lambda", "AWS::Lambda::Function"]).sum() == 3,
    "m5.three_segments",
)
ws.check(
    cold_trace["Id"] == trace_ids[0] and (cold["name"] == "Initialization").any(),
    "m5.cold_initialization",
)
later = [measure.traces.segments_frame(by_id[i]) for i in trace_ids[1:] if i in by_id]
ws.check(
    len(later) == CALLS - 1 and not any((f["name"] == "Initialization").any() for f in later),
    "m5.later_warm",
    count=CALLS - 1,
)
ws.check(cold["sql"].notna().any(), "m5.sql_subsegment")

# %% [markdown]
# ## The trace timeline
#
# One bar per segment and subsegment, indented under its parent, on a shared time axis. Orange is the
# cold start (`Initialization`: starting the runtime, importing the code, fetching the secret and opening
# the connection), purple the SQL query.

# %%
views.traces.timeline_figure(cold, title=ws.say("m5.cold_title", trace_id=cold_trace["Id"])).show()

# %%
warm_trace = by_id.get(trace_ids[-1], traces[-1])
views.traces.timeline_figure(warm_trace, title=ws.say("m5.warm_title", trace_id=warm_trace["Id"])).show()

# %% [markdown]
# ## The service map
#
# `GetServiceGraph` aggregates every trace in a time window into nodes (services) and edges (calls), with
# counts and response times. The client is whoever called the API: this notebook.
#
# Every X-Ray query is asked for a **time window**: `GetTraceSummaries` lists the traces in it, and
# `GetServiceGraph` merges all of them into one map. The window decides what you see: too wide and other
# requests of the same services are mixed in (the map's counts and averages include them), too narrow and the
# requests you care about are cut off. On AWS a trace becomes searchable some seconds after its request ends,
# so a window that ends "now" can miss the last requests; X-Ray keeps traces for 30 days. Here the window is
# the span of the traced calls above, read from their own segments, plus a second on each side.

# %%
# the window the traces above span, whenever this cell runs
window = measure.traces.traces_window(traces)
graph = measure.traces.service_graph(xray, *window)
nodes, edges = measure.traces.graph_frames(graph)
views.traces.service_map_figure(graph, ws.say("m5.map_title", count=CALLS)).show()
views.tables.readable(nodes)

# %%
display(
    Markdown(
        ws.say(
            "m5.window",
            seconds=(window[1] - window[0]).total_seconds(),
            start=window[0],
            end=window[1],
            count=CALLS,
        )
    )
)

# %%
kinds = set(nodes["type"])
ws.check(
    {"client", "AWS::ApiGateway::Stage", "AWS::Lambda", "AWS::Lambda::Function"} <= kinds,
    "m5.map_chain",
)
ws.check(any("SQL" in kind for kind in kinds), "m5.map_sql")

# %% [markdown]
# ## Optional challenge: trace a short load test
#
# Every segment's duration across many requests shows which part varies. With the default sampling rule
# about one request per second (plus 5%) is traced, so a `DURATION_S`-second test gives a few dozen traces.

# %%
USERS = ws.default(local=5, aws=20)
DURATION_S = ws.default(local=20, aws=60)

load_start = dt.datetime.now(dt.UTC)
result = measure.loadtest.run_load_test(db.api_url, users=USERS, spawn_rate=USERS, duration=DURATION_S, wait_s=0.2)
load_traces = measure.traces.wait_for_traces(ws, start=load_start, count=max(3, DURATION_S // 3))
durations = measure.traces.segment_durations(load_traces)
views.tables.readable(views.loadtests.summary_table({ws.say("m5.load_test_run"): result}))

# %%
# every trace of the load test (the window is the test's own; nothing else called the API meanwhile)
sampled = measure.traces.trace_summaries(xray, load_start, dt.datetime.now(dt.UTC))
seconds = int(result.duration_s)
expected = seconds + 0.05 * max(0, result.request_count - seconds)
display(
    Markdown(
        ws.say(
            "m5.sampling",
            requests=result.request_count,
            seconds=seconds,
            sampled=len(sampled),
            expected=expected,
            others=max(0, result.request_count - seconds),
        )
    )
)

# %%
shown = ["Invocation", "Overhead", "execute", "db_time query", "db-time (AWS::Lambda)"]
names_present = [s for s in durations["segment"].unique() if s in shown or s.endswith("(AWS::ApiGateway::Stage)")]
views.traces.segment_latency_figure(
    durations[durations["segment"].isin(names_present)], ws.say("m5.segments_title", count=len(load_traces))
).show()
per_segment = durations.groupby("segment")["duration_ms"].describe(percentiles=[0.5, 0.95])[
    ["count", "50%", "95%", "max"]
]
views.tables.readable(per_segment)

# %%
ws.check(len(load_traces) >= 3, "m5.traces_left")

# %% [markdown]
# ## What you measured

# %%
cold_by_name = cold.groupby("name")["duration_ms"].sum()
warm = measure.traces.segments_frame(warm_trace)
warm_by_name = warm.groupby("name")["duration_ms"].sum()
total_cold = cold["start_ms"].add(cold["duration_ms"]).max()
total_warm = warm["start_ms"].add(warm["duration_ms"]).max()
sql_cold = cold[cold["name"] == "execute"]["duration_ms"].sum()
display(
    Markdown(
        ws.say(
            "m5.summary",
            cold_ms=total_cold,
            init_ms=cold_by_name.get("Initialization", 0),
            sql_ms=sql_cold,
            warm_ms=total_warm,
            invocations=int(nodes.loc[nodes["type"] == "AWS::Lambda::Function", "requests"].sum()),
        )
    )
)

# %% [markdown]
# ## Clean up
#
# This points the API back at module 4's optimized, untraced function, turns stage tracing off and deletes
# the traced function (the X-Ray layer version stays; it costs nothing). `99_cleanup.ipynb` removes everything
# the workshop created.

# %%
m5.cleanup(ws, db)
integration = ws.client("apigateway").get_integration(
    restApiId=aws.api.api_id_and_stage(db.api_url)[0],
    resourceId=next(
        r["id"]
        for r in ws.client("apigateway").get_resources(restApiId=aws.api.api_id_and_stage(db.api_url)[0])["items"]
        if r["path"] == "/"
    ),
    httpMethod="GET",
)
ws.check(f":function:{db.function}/" in integration["uri"], "m5.api_calls_again", function=db.function)
ws.check(not aws.api.get_stage(ws, db.api_url).get("tracingEnabled"), "m5.stage_tracing_off")
ws.check(not aws.lambdas.function_exists(ws, m5.names(ws)["traced_function"]), "m5.traced_gone")
