# %% [markdown]
# # Module 4: optimize and load test
#
# In module 3 the API reads its database password from Secrets Manager and reaches MySQL through
# RDS Proxy. It works, but every call fetches the secret and opens a new connection. In this module you
# put the API under load and watch what happens:
#
# 1. **Load test the unoptimized function** with a cap on its concurrency, and see throttling in the
#    load test and in CloudWatch.
# 2. **Optimize**: move the secret fetch and the connection out of the handler. Measure one call before
#    and after, then repeat the load test.
# 3. **Provisioned concurrency**: keep environments initialized in advance and count the cold starts
#    that disappear.
# 4. **Plan capacity and cost** from the numbers you measured.
#
# **Time**: about 5 minutes on the local target (two load tests of one minute each), about 25 minutes
# on AWS (load tests of two minutes, CloudWatch needs a few minutes to publish, and provisioned concurrency
# takes a few minutes to become ready).
#
# **Cost on AWS**: the next cell lists what this module keeps running, with list prices per hour. Provisioned
# concurrency is billed for as long as it is configured, so run the clean-up cell at the end.

# %%
import datetime as dt

import pandas as pd
from IPython.display import Markdown, display

import helpers
from helpers import aws, measure, views
from helpers.modules import m4_optimize_and_load_test as m4

pd.options.display.float_format = "{:,.1f}".format
views.tables.price_table(["lambda", "api_gateway", "rds", "rds_proxy", "secrets", "provisioned"], memory_mb=128)

# %% [markdown]
# ## Setup
#
# `helpers.connect()` picks the target (pocketcloud on this machine, or your AWS account) and prints it.
# `m4.ensure(ws)` makes sure what modules 2 and 3 built is there (VPC, database, API,
# secret, RDS Proxy) and creates whatever is missing, so you can start with this module.

# %%
ws = helpers.connect()
db = m4.ensure(ws)
db.describe()

# %% [markdown]
# ## Architecture
#
# The resources this module measures, drawn from what is deployed: the load generator (Locust, on this
# machine) calls the API Gateway stage, which invokes the function; the function reads the secret and
# queries MySQL through RDS Proxy.

# %%
m4.architecture_figure(ws, db, client="Locust (load generator)").show()

# %% [markdown]
# ## Step 1: the unoptimized function under a concurrency cap
#
# Concurrency is how many requests a function serves *at the same time*. It follows from two numbers:
#
# > concurrency = requests per second x duration of one request in seconds
#
# 100 requests per second that each take 50 ms keep 5 execution environments busy. When the
# function is slower, the same traffic needs more environments.
#
# Lambda limits concurrency per account (1,000 by default) and lets you *reserve* concurrency for one
# function, which also caps it. A call beyond the cap is **throttled**: Lambda answers 429
# `TooManyRequestsException` and API Gateway returns an error to the client. To see throttling at laptop
# scale we cap the function at a few environments.
#
# First, deploy the unoptimized handler. Read it: the secret fetch and the connection are inside
# `lambda_handler`, so every call pays for both.

# %%
views.tables.show_code("db_time_v2")

# %%
RESERVED_CONCURRENCY = ws.default(local=3, aws=5)

m4.deploy(ws, db, "db_time_v2")
lam = ws.client("lambda")
lam.put_function_concurrency(FunctionName=db.function, ReservedConcurrentExecutions=RESERVED_CONCURRENCY)
first = aws.api.call_api(db.api_url)
print(f"HTTP {first.status} in {first.latency_ms:.0f} ms:", first.body)

# %%
ws.check(first.status == 200 and "db_time" in first.body, "the API answers with the database time through the proxy")

# %% [markdown]
# ### Load test 1
#
# [Locust](https://locust.io) starts `USERS` virtual users; each calls the API, waits for the answer,
# pauses `WAIT_S` seconds and calls again. Locust runs in a separate process so it does not compete with
# this notebook's kernel, and writes one row of statistics per second.
#
# A throttled call fails fast, so the number to watch is how many calls **succeeded** per second.

# %%
USERS = ws.default(local=20, aws=50)
SPAWN_RATE = ws.default(local=5, aws=10)  # users started per second
DURATION_S = ws.default(local=60, aws=120)
WAIT_S = 0.1  # pause of each user between two calls

measure.metrics.wait_for_next_minute()  # CloudWatch aggregates per minute: start on a fresh one
start_v2 = dt.datetime.now(dt.UTC)
before = measure.loadtest.run_load_test(
    db.api_url, users=USERS, spawn_rate=SPAWN_RATE, duration=DURATION_S, wait_s=WAIT_S
)
end_v2 = dt.datetime.now(dt.UTC)
views.loadtests.summary_table({"unoptimized (v2)": before})

# %%
views.loadtests.history_figure(
    before, f"Load test 1: unoptimized function, {USERS} users, {RESERVED_CONCURRENCY} reserved"
).show()

# %%
ws.check(before.request_count > 0, "the load test sent requests")
ws.check(before.failure_count > 0, "with the concurrency cap, some calls fail: they were throttled")

# %% [markdown]
# ### What CloudWatch saw
#
# Lambda publishes metrics for every function: `ConcurrentExecutions` (peak environments busy at the same
# time), `Throttles` (calls refused), `Invocations` and `Duration`. They are aggregated per minute, so a
# one-minute test shows one or two points per metric.

# %%
lambda_v2 = measure.metrics.wait_for_metrics(
    ws,
    lambda: measure.metrics.lambda_metrics(ws.client("cloudwatch"), db.function, start_v2, end_v2),
    expect=("Invocations", "Throttles"),
)
views.metrics.metrics_figure(
    lambda_v2,
    "Unoptimized function in CloudWatch",
    metrics=["ConcurrentExecutions", "Throttles", "Invocations", "Duration"],
).show()
totals_v2 = measure.metrics.metric_totals(lambda_v2)
totals_v2

# %%
ws.check(totals_v2.get("Throttles", 0) > 0, "CloudWatch counted throttled invocations")
ws.check(
    totals_v2.get("ConcurrentExecutions", 0) <= RESERVED_CONCURRENCY, "concurrency never exceeded the reserved cap"
)

# %%
display(
    Markdown(
        f"Peak concurrency stayed at **{totals_v2['ConcurrentExecutions']:.0f}** (the cap is {RESERVED_CONCURRENCY}); "
        f"Lambda throttled **{totals_v2['Throttles']:.0f}** calls and ran **{totals_v2['Invocations']:.0f}**, "
        f"each taking **{totals_v2['Duration']:.1f} ms** on average. "
        f"At that duration {RESERVED_CONCURRENCY} environments can serve at most about "
        f"**{RESERVED_CONCURRENCY * 1000 / totals_v2['Duration']:.0f} requests per second**."
    )
)

# %% [markdown]
# ## Step 2: optimize, initialize outside the handler
#
# Code at the top level of the module runs **once per execution environment**, during its cold start.
# Everything after that is reused by every call the environment serves. So the secret and the database
# connection move out of the handler; the handler only checks the connection is still open
# (`ping(reconnect=True)` reopens it if the proxy or the database closed it while the environment was idle).

# %%
views.tables.show_code("db_time_v3")

# %% [markdown]
# ### One call, before and after
#
# Lambda writes a `REPORT` line for every invocation with its `Duration` (and `Init Duration` when the
# call started a new environment). We call each version `CALLS` times in a row and compare the warm calls.

# %%
CALLS = 10

single_v2 = measure.invocations.invoke_many(lam, db.function, CALLS)
m4.deploy(ws, db, "db_time_v3")
single_v3 = measure.invocations.invoke_many(lam, db.function, CALLS)
single = pd.concat(
    [single_v2.assign(version="v2: inside the handler"), single_v3.assign(version="v3: outside the handler")]
)
single[["version", "call", "cold", "duration_ms", "init_ms", "latency_ms"]]

# %%
warm = single[~single["cold"]]
views.latency.latency_box_figure(
    warm, group="version", value="duration_ms", title="Duration of warm calls (REPORT lines)", y_title="duration (ms)"
).show()
median_v2 = warm[warm["version"].str.startswith("v2")]["duration_ms"].median()
median_v3 = warm[warm["version"].str.startswith("v3")]["duration_ms"].median()
ws.check(median_v3 < median_v2, "warm calls are faster once the secret and the connection are reused")
display(
    Markdown(
        f"A warm call took **{median_v2:.1f} ms** (median) with everything inside the handler and "
        f"**{median_v3:.1f} ms** with the initialization moved out: **{median_v2 / median_v3:.1f}x** faster."
    )
)

# %% [markdown]
# ### Load test 2: the same load on the optimized function
#
# Same users, same pauses, same duration, same concurrency cap, and again a fresh minute so the two runs
# do not share a CloudWatch data point.

# %%
measure.metrics.wait_for_next_minute()
start_v3 = dt.datetime.now(dt.UTC)
after = measure.loadtest.run_load_test(
    db.api_url, users=USERS, spawn_rate=SPAWN_RATE, duration=DURATION_S, wait_s=WAIT_S
)
end_v3 = dt.datetime.now(dt.UTC)
runs = {"unoptimized (v2)": before, "optimized (v3)": after}
views.loadtests.summary_table(runs)

# %%
views.loadtests.compare_figure(
    runs, f"Same load, {USERS} users and {RESERVED_CONCURRENCY} reserved environments"
).show()

# %%
lambda_v3 = measure.metrics.wait_for_metrics(
    ws,
    lambda: measure.metrics.lambda_metrics(ws.client("cloudwatch"), db.function, start_v3, end_v3),
    expect=("Invocations",),
)
both = pd.concat([lambda_v2.assign(run="unoptimized (v2)"), lambda_v3.assign(run="optimized (v3)")])
both["timestamp"] = both.groupby("run")["timestamp"].transform(lambda t: (t - t.min()).dt.total_seconds() / 60)
fig = views.metrics.metrics_figure(
    both,
    "CloudWatch, both runs",
    metrics=["ConcurrentExecutions", "Throttles", "Invocations", "Duration"],
    split_by="run",
)
fig.update_xaxes(title_text="minutes since the run started", row=4, col=1)
fig.show()
totals_v3 = measure.metrics.metric_totals(lambda_v3)

# %%
succeeded = views.loadtests.summary_table(runs)["succeeded"]
ws.check(succeeded.iloc[1] > succeeded.iloc[0], "the optimized function served more requests with the same cap")
ws.check(totals_v3.get("Duration", 1e9) < totals_v2["Duration"], "average duration under load went down")

# %% [markdown]
# ## Step 3: provisioned concurrency removes cold starts
#
# A cold start (a new environment: start the runtime, import the code, run the initialization) happens
# whenever no idle environment is free. Our initialization now does more work (the secret and the
# connection), so cold starts cost more. **Provisioned concurrency** keeps a number of environments
# initialized in advance for a published version or alias; calls to it skip initialization.
#
# We publish the optimized code as a version, point an alias `live` at it, and provision `PROVISIONED`
# environments for the alias. Then we send bursts of simultaneous calls to a freshly updated function
# (every call needs a new environment) and to the alias, and compare.

# %%
PROVISIONED = ws.default(local=4, aws=10)
BURST = PROVISIONED  # simultaneous calls per burst

lam.delete_function_concurrency(FunctionName=db.function)  # the cap from step 1 would also cap provisioning
alias = aws.lambdas.ensure_provisioned_alias(ws, db.function, m4.ALIAS, PROVISIONED)
alias

# %%
ws.check(alias["Status"] == "READY", f"{PROVISIONED} environments are initialized and waiting")

# %%
aws.lambdas.recycle_environments(ws, db.function)  # a configuration change: every new call needs a new environment
on_demand = measure.invocations.burst(lambda: measure.invocations.timed_invoke(lam, db.function), count=BURST)
provisioned = measure.invocations.burst(
    lambda: measure.invocations.timed_invoke(lam, db.function, qualifier=m4.ALIAS), count=BURST
)
bursts = pd.concat(
    [on_demand.assign(setup="on demand ($LATEST)"), provisioned.assign(setup="provisioned (alias live)")]
)
bursts.groupby("setup").agg(
    calls=("latency_ms", "size"),
    cold_starts=("cold", "sum"),
    errors=("error", "count"),
    median_ms=("latency_ms", "median"),
    max_ms=("latency_ms", "max"),
)

# %%
views.latency.latency_box_figure(
    bursts, group="setup", title=f"{BURST} simultaneous calls: client-side latency", y_title="latency (ms)"
).show()

# %%
cold_on_demand = int(on_demand["cold"].sum())
cold_provisioned = int(provisioned["cold"].sum())
ws.check(cold_on_demand > 0, "the burst on the updated function started new environments (cold starts)")
ws.check(cold_provisioned == 0, "no call to the provisioned alias had a cold start")
display(
    Markdown(
        f"On demand, **{cold_on_demand} of {BURST}** calls started a new environment and the slowest took "
        f"**{on_demand['latency_ms'].max():.0f} ms**. With {PROVISIONED} provisioned environments there were "
        f"**{cold_provisioned}** cold starts and the slowest call took **{provisioned['latency_ms'].max():.0f} ms**."
    )
)

# %% [markdown]
# ## Step 4: capacity and cost from what you measured
#
# With the measured duration you can size the function for a target load, and price it. The calculator
# turns users into requests per second with stated assumptions (share of daily users online at the peak,
# requests per online user per minute), applies `concurrency = requests/s x duration`, and prices a month
# of Lambda, API Gateway, RDS, RDS Proxy and Secrets Manager at the list prices in `helpers/measure/prices.py`.

# %%
DAILY_ACTIVE_USERS = 50_000
PEAK_ONLINE_SHARE = 0.10  # share of daily users online at the peak
REQUESTS_PER_USER_MINUTE = 6  # API calls per online user per minute
MEMORY_MB = 128

traffic = measure.capacity.Traffic(DAILY_ACTIVE_USERS, PEAK_ONLINE_SHARE, REQUESTS_PER_USER_MINUTE)
measured = {"v2 (inside the handler)": totals_v2["Duration"], "v3 (outside the handler)": totals_v3["Duration"]}
plans = {
    name: measure.capacity.capacity_plan(traffic=traffic, duration_ms=ms, memory_mb=MEMORY_MB)
    for name, ms in measured.items()
}
pd.DataFrame(
    {
        name: {
            "peak requests/s": p.peak_requests_per_s,
            "duration (ms)": p.duration_ms,
            "concurrency needed": p.concurrency,
            "monthly cost (USD)": measure.capacity.monthly_cost(p).total,
        }
        for name, p in plans.items()
    }
).T

# %%
measure.capacity.monthly_cost(plans["v3 (outside the handler)"]).lines.round({"usd": 2})

# %%
views.latency.concurrency_figure(measured, max_requests_per_s=max(1000, traffic.peak_requests_per_s * 2)).show()

# %%
plan = plans["v3 (outside the handler)"]
display(
    Markdown(
        f"{DAILY_ACTIVE_USERS:,} daily users with {PEAK_ONLINE_SHARE:.0%} online at the peak make "
        f"**{traffic.peak_requests_per_s:,.0f} requests/s**. "
        f"At the measured {plan.duration_ms:.1f} ms per call that needs "
        f"**{plan.concurrency} concurrent environments**, "
        f"versus {plans['v2 (inside the handler)'].concurrency} for the "
        f"unoptimized code. A month costs about **USD {measure.capacity.monthly_cost(plan).total:,.0f}** at prices of "
        f"{measure.prices.PRICES_AS_OF}."
    )
)

# %% [markdown]
# ## What you measured
#
# The two load tests side by side, and the effect of each change.

# %%
summary = views.loadtests.summary_table(runs)
summary["avg duration (ms, CloudWatch)"] = [totals_v2["Duration"], totals_v3["Duration"]]
summary["throttles (CloudWatch)"] = [totals_v2.get("Throttles", 0), totals_v3.get("Throttles", 0)]
summary

# %%
display(
    Markdown(
        f"With the same {RESERVED_CONCURRENCY} environments, moving initialization out of the handler took the average "
        f"duration from **{totals_v2['Duration']:.1f} ms** to **{totals_v3['Duration']:.1f} ms**. The API answered "
        f"**{summary.iloc[1]['succeeded_per_s']:,.0f}** requests per second successfully instead of "
        f"**{summary.iloc[0]['succeeded_per_s']:,.0f}**, and failures went from "
        f"**{summary.iloc[0]['failure_pct']:.1f}%** to **{summary.iloc[1]['failure_pct']:.1f}%**. "
        f"Provisioned concurrency removed the cold starts: {cold_on_demand} of {BURST} on demand, "
        f"{cold_provisioned} provisioned. Concurrency is requests per second times duration, "
        "so a faster function is also a cheaper and more scalable one."
    )
)

# %% [markdown]
# ## Clean up
#
# Provisioned concurrency is billed every hour it is configured: this removes it and the alias. The
# function keeps the optimized code; module 5 builds on it. `99_cleanup.ipynb` removes everything the
# workshop created.

# %%
m4.cleanup(ws, db)
