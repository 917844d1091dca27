# %% [markdown]
# # Module 4: optimize and load test
#
# In module 3 the API reads its database password from Secrets Manager and reaches MySQL through
# RDS Proxy. It works, but every call fetches the secret and opens a new connection. In this module you
# send the API a sudden burst of traffic and watch Lambda scale:
#
# 1. **A burst on the unoptimized function**: Lambda adds execution environments as fast as its scaling rate
#    allows, throttles the calls it cannot place yet, and the throttles clear once it has scaled.
# 2. **Optimize**: move the secret fetch and the connection out of the handler, and send the same burst
#    again. Concurrency is arrival rate x duration: a faster function needs a fraction of the environments.
# 3. **Reserved concurrency**: cap the function, and see the cap throttle what it cannot hold.
# 4. **Provisioned concurrency**: keep environments initialized in advance and count the cold starts
#    that disappear.
# 5. **Plan capacity and cost** from the peak you measured.
#
# **Time**: about 3 minutes on the local target, about 25 minutes on AWS (longer bursts, CloudWatch needs a
# few minutes to publish, and provisioned concurrency takes a few minutes to become ready).
#
# **Cost on AWS**: the next cell lists what this module keeps running, with list prices per hour. Provisioned
# concurrency is billed for as long as it is configured, so run the clean-up cell at the end.

# %%
import datetime as dt
import math

import pandas as pd
from IPython.display import Markdown, display

import helpers
from helpers import aws, measure, views
from helpers.modules import m4_optimize_and_load_test as m4

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
m4.architecture_figure(ws, db).show()

# %% [markdown]
# ## Step 1: a burst on the unoptimized function
#
# Concurrency is how many requests a function serves *at the same time*. Each execution environment serves
# one request at a time, so concurrency is also the number of busy environments. It follows from two numbers:
#
# > concurrency = requests per second x duration of one request in seconds
#
# 100 requests per second that each take 50 ms keep 5 environments busy. When the function is slower,
# the same traffic needs more environments.
#
# Lambda creates environments as requests arrive, but not without limit. Its **concurrency scaling rate**
# lets each function add at most 1,000 environments every 10 seconds, refilled continuously: a function can
# go from nothing to 1,000 at once, then add about 100 more each second. A request that would need one more
# environment than that is **throttled**: Lambda answers 429 `TooManyRequestsException`, and API Gateway
# answers the client with an error. pocketcloud scales that rate down so a laptop shows the same shape with
# tens of environments instead of thousands.
#
# First, deploy the unoptimized handler. Read it: the secret fetch and the connection are inside
# `lambda_handler`, so every call pays for both.

# %%
views.tables.show_code("db_time_v2")

# %%
m4.deploy(ws, db, "db_time_v2")
lam = ws.client("lambda", retries=False)  # measured calls: a throttle must show, not be retried
first = aws.api.call_api(db.api_url)
print(ws.say("m4.http_answer", status=first.status, latency_ms=first.latency_ms, body=first.body))

# %%
ws.check(first.status == 200 and "db_time" in first.body, "m4.api_through_proxy")

# %% [markdown]
# ### The burst
#
# [Locust](https://locust.io) opens the burst with `OPENING` calls at the same instant (a crowd arriving
# together: a push notification, a sale opening), then sends `RATE` calls per second, evenly spaced: a sudden
# step from no traffic to the full rate, with no warm environment waiting. Calls that arrive together each need
# an environment of their own, so the opening wave alone asks for `OPENING` new environments at once. Each call
# is sent on schedule whatever the answers before it, so the arrival rate stays the same while Lambda scales.
# (A load test whose users pause after each answer does not do that: their calls drift into step and arrive in
# bunches, and a bunch needs as many environments as it has calls, whatever the average rate.)
#
# `SCALING_RATE` is the rate this target lets a function add environments (per 10 seconds). CloudWatch keeps
# one number per minute, and module 3 called this same function (its warm-up was throttled too), so the first
# burst waits for a fresh minute: the totals read at the end of the two bursts then count nothing from before.

# %%
RATE = ws.default(local=15, aws=100)  # calls per second
OPENING = RATE  # calls at the same instant when the burst opens: one second's worth
DURATION_S = ws.default(local=35, aws=90)
SCALING_RATE = m4.scaling_rate(ws)
print(ws.say("m4.burst_plan", opening=OPENING, rate=RATE, seconds=DURATION_S, scaling_rate=SCALING_RATE))

measure.metrics.wait_for_next_minute()
start_bursts = dt.datetime.now(dt.UTC)
run_v2 = m4.run_burst(ws, db, ws.say("m4.run_v2"), rate=RATE, duration_s=DURATION_S, opening=OPENING)
views.loadtests.burst_table({run_v2.name: run_v2})

# %%
views.loadtests.burst_figure({run_v2.name: run_v2}, ws.say("m4.burst_v2_title", rate=RATE)).show()

# %% [markdown]
# Read the figure from the top. No environment is warm at the first call, and a new environment first runs
# its cold start, so every call that arrives meanwhile needs one more: the environments started (middle
# panel, solid line) jump towards what the scaling rate allows at once (dashed), and the calls beyond it are
# throttled (red; grey for calls that failed otherwise, such as a cold start that ran out of time on a busy
# laptop). The dashed limit keeps climbing as it refills, but once the first environments are warm each one
# serves call after call: the throttles stop, and the invocations in flight (dotted) fall to about arrival
# rate x duration, a fraction of the environments started. Whether this run was throttled at all depends on
# how long its cold starts took; the line under the figure says what it measured.

# %%
display(Markdown(m4.ramp_reading(run_v2)))
ws.check(
    bool((run_v2.seconds["environments"] <= run_v2.seconds["scaling_limit"] + 1).all()),
    "m4.scaling_rate_kept",
    scaling_rate=SCALING_RATE,
)
ws.check(
    (run_v2.throttled > 0 and run_v2.environments >= SCALING_RATE)
    or (run_v2.throttled == 0 and run_v2.environments <= SCALING_RATE),
    "m4.throttled_when_needed",
)
ws.check(
    run_v2.cleared_at is not None and run_v2.cleared_at <= len(run_v2.seconds) - 5,
    "m4.throttles_stopped",
)

# %% [markdown]
# ### Did the load generator keep up?
#
# A load test measures the system only while the generator sends what it was asked to send. One Locust process
# runs on one CPU core (Python runs one thread at a time), and a user still waiting for a slow answer lets its
# next slot pass. With too few users, or a generator whose core is saturated, fewer calls go out than `RATE`,
# and the test quietly measures a smaller load than you think. So check two things: the calls sent per second
# match the rate asked for, and the generator's core is not at 100 %.
#
# When one core is not enough, Locust runs distributed: one master process that only gathers the statistics
# and several worker processes that send the calls (`locust --master` and `locust --worker`), about one per
# core, on one machine or several. On AWS, run the generator in the same Region as the API (an EC2 instance or
# containers), so that the test measures the API and not your internet connection. Here Locust shares this
# machine's cores with pocketcloud and the Lambda environments, which is one reason the local rate is small.

# %%
sent_per_s = len(run_v2.load.calls) / DURATION_S
ws.check(
    sent_per_s >= 0.8 * RATE,
    "m4.generator_kept_up",
    sent=sent_per_s,
    rate=RATE,
)

# %% [markdown]
# ### Concurrency = arrival rate x duration
#
# Once scaled, the invocations in flight should match the model: arrival rate x the mean Duration (from the
# REPORT lines, weighted by calls) on average. The peak sits above that average because durations vary from
# call to call: with evenly spaced calls it can reach the arrival rate x the slowest durations (their 99th
# percentile), plus one for a call that arrives as another leaves. That range is the check's tolerance: the
# measured peak must lie between the average rounded up less one, and that upper bound.


# %%
display(
    Markdown(
        ws.say(
            "m4.v2_summary",
            duration_ms=run_v2.steady_duration_ms,
            rate=RATE,
            duration_s=run_v2.steady_duration_ms / 1000,
            model=run_v2.model_concurrency,
            low=run_v2.peak_model[0],
            high=run_v2.peak_model[1],
            p99_ms=run_v2.steady_p99_duration_ms,
            peak=run_v2.steady_peak,
            environments=run_v2.environments,
            throttled=run_v2.throttled,
            total=run_v2.succeeded + run_v2.throttled + run_v2.errors,
            errors=run_v2.errors,
        )
    )
)
ws.check(run_v2.model_holds, "m4.model_holds_v2")

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
    [single_v2.assign(version=ws.say("m4.version_v2")), single_v3.assign(version=ws.say("m4.version_v3"))]
)
views.tables.readable(single[["version", "call", "cold", "duration_ms", "init_ms", "latency_ms"]], missing="-")

# %%
warm = single[~single["cold"] & single["error"].isna()]
views.latency.latency_box_figure(
    warm,
    group="version",
    value="duration_ms",
    title=ws.say("m4.warm_duration_title"),
    y_title=ws.say("m4.duration_ms"),
).show()
median_v2 = warm[warm["version"].str.startswith("v2")]["duration_ms"].median()
median_v3 = warm[warm["version"].str.startswith("v3")]["duration_ms"].median()
ws.check(median_v3 < median_v2, "m4.warm_faster")
display(Markdown(ws.say("m4.warm_summary", v2_ms=median_v2, v3_ms=median_v3, speedup=median_v2 / median_v3)))

# %% [markdown]
# ### The same burst on the optimized function
#
# Same arrival rate, same duration, again from no warm environment.

# %%
run_v3 = m4.run_burst(ws, db, ws.say("m4.run_v3"), rate=RATE, duration_s=DURATION_S, opening=OPENING)
end_bursts = dt.datetime.now(dt.UTC)
runs = {run_v2.name: run_v2, run_v3.name: run_v3}
views.loadtests.burst_table(runs)

# %%
views.loadtests.burst_figure(runs, ws.say("m4.same_burst_title", rate=RATE)).show()

# %% [markdown]
# Both bursts start cold, and the optimization does not make a cold start shorter (the secret and the
# connection now belong to it), so the optimized function meets the same limit while its first environments
# start; how many calls that throttles varies from run to run with the cold starts. What changed for sure is
# what the function needs once warm.

# %%
display(Markdown(m4.ramp_reading(run_v3)))
ws.check(run_v3.model_holds, "m4.model_holds_v3")
ws.check(
    run_v3.model_concurrency < run_v2.model_concurrency / 2 and run_v3.steady_peak <= run_v2.steady_peak,
    "m4.fewer_environments",
)

# %% [markdown]
# ### What CloudWatch counted
#
# Lambda publishes `Throttles` (calls refused), `Invocations` and `Errors` per minute. The two bursts last
# seconds, so CloudWatch is read for totals only: every call the load generator saw refused should be a
# throttle Lambda counted, and every other failure an invocation that failed (Errors). The calls made one at a
# time between the bursts are in the same minutes, so they count too.

# %%
# The calls one at a time between the bursts count too: Lambda may refuse them while it scales again.
direct_throttled = int(single["throttled"].sum())
direct_errors = int((single["error"].notna() & ~single["throttled"]).sum())
throttled_total = run_v2.throttled + run_v3.throttled + direct_throttled
errors_total = run_v2.errors + run_v3.errors + direct_errors
expected = {"Invocations": run_v2.succeeded + run_v3.succeeded, "Errors": 0}
if throttled_total:
    expected["Throttles"] = throttled_total
totals = m4.cloudwatch_totals(ws, db.function, start_bursts, end_bursts, expected)
throttles_cw = float(totals["Throttles"]) if "Throttles" in totals else 0.0
views.loadtests.throttle_totals_figure(throttled_total, throttles_cw, ws.say("m4.throttled_title")).show()

# %%
ws.check("Invocations" in totals and "Errors" in totals, "m4.cw_published")
ws.check(throttled_total == 0 or "Throttles" in totals, "m4.cw_throttles")
ws.check(
    throttles_cw == throttled_total,
    "m4.every_500_throttle",
    answered=throttled_total - direct_throttled,
    direct=direct_throttled,
    throttles=throttles_cw,
)
ws.check(
    totals["Errors"] == errors_total,
    "m4.other_failed",
    errors=errors_total,
    cw_errors=totals["Errors"],
)
ws.check(totals["Invocations"] >= run_v2.succeeded + run_v3.succeeded, "m4.cw_counted")

# %% [markdown]
# ## Step 3: reserved concurrency caps a function
#
# *Reserving* concurrency sets part of the account's quota aside for one function, and also caps it there:
# a call beyond the cap is throttled however fast Lambda could scale. Reservations must leave the rest of the
# account a minimum of unreserved concurrency (100 on AWS). A new account's quota can be too small for any
# reservation: the step reads the account's settings first and sizes the cap to fit, or says why it cannot.
#
# To make the cap bite, each call holds its database query for `HOLD_S` seconds, so `CAP_RATE` calls per second
# need `CAP_RATE x HOLD_S` environments. With a cap below that, about `1 - cap / (rate x duration)` of the calls
# are throttled.

# %%
RESERVED = ws.default(local=1, aws=5)
CAP_RATE = ws.default(local=10, aws=50)
HOLD_S = 0.3
CAP_DURATION_S = ws.default(local=10, aws=30)

room = m4.reserve(ws, db.function, RESERVED)
capped = None
if room.granted:
    capped = m4.run_burst(ws, db, ws.say("m4.capped_run", cap=room.granted), rate=CAP_RATE,
                          duration_s=CAP_DURATION_S, path=f"/?hold={HOLD_S}")  # fmt: skip
    aws.lambdas.remove_reserved_concurrency(ws, db.function)
    display(views.loadtests.burst_table({capped.name: capped}))

# %%
if capped is not None:
    views.loadtests.burst_figure({capped.name: capped}, ws.say("m4.cap_title", rate=CAP_RATE, hold_s=HOLD_S)).show()
    expected = 1 - room.granted / max(capped.rate * capped.mean_duration_ms / 1000, room.granted)
    share = capped.throttled / (capped.succeeded + capped.throttled + capped.errors)
    display(Markdown(ws.say("m4.cap_share", share=share, expected=expected)))
    ws.check(int(capped.seconds["concurrency"].max()) <= room.granted, "m4.never_more", cap=room.granted)
    ws.check(abs(share - expected) <= 0.2, "m4.share_model")
else:
    ws.check(room.unreserved - room.minimum < 1, "m4.cap_skipped")

# %% [markdown]
# ## Step 4: provisioned concurrency removes cold starts
#
# A cold start (a new environment: start the runtime, import the code, run the initialization) happens
# whenever no idle environment is free. Our initialization now does more work (the secret and the
# connection), so cold starts cost more. **Provisioned concurrency** keeps a number of environments
# initialized in advance for a published version or alias; calls to it skip initialization. It comes out of
# the same quota as reservations, so the account's settings are read first here too.
#
# We publish the optimized code as a version, point an alias `live` at it, and provision `PROVISIONED`
# environments for the alias. Then we send bursts of simultaneous calls to a freshly updated function
# (every call needs a new environment) and to the alias, and compare. Only successful calls count.

# %%
PROVISIONED = ws.default(local=4, aws=10)
provision = m4.concurrency_room(ws, PROVISIONED)
print(provision.message)
if provision.granted:
    alias = aws.lambdas.ensure_provisioned_alias(ws, db.function, m4.ALIAS, provision.granted)
    ws.check(alias["Status"] == "READY", "m4.provisioned_ready", count=provision.granted)

# %%
if provision.granted:
    BURST = provision.granted  # simultaneous calls per burst
    aws.lambdas.recycle_environments(ws, db.function)  # a configuration change: every new call is cold
    on_demand = measure.invocations.burst(lambda: measure.invocations.timed_invoke(lam, db.function), count=BURST)
    provisioned = measure.invocations.burst(
        lambda: measure.invocations.timed_invoke(lam, db.function, qualifier=m4.ALIAS), count=BURST
    )
    bursts = pd.concat(
        [on_demand.assign(setup=ws.say("m4.setup_on_demand")), provisioned.assign(setup=ws.say("m4.setup_provisioned"))]
    )
    bursts["succeeded"] = bursts["error"].isna()
    display(
        views.tables.readable(
            bursts.groupby("setup").agg(
                calls=("latency_ms", "size"),
                succeeded=("succeeded", "sum"),
                cold_starts=("cold", "sum"),
                median_ms=("latency_ms", "median"),
                max_ms=("latency_ms", "max"),
            ),
            decimals=1,
        )
    )
    views.latency.latency_box_figure(
        bursts[bursts["succeeded"]], group="setup", title=ws.say("m4.simultaneous_title", count=BURST),
        y_title=ws.say("m4.latency_ms"),
    ).show()  # fmt: skip

# %%
if provision.granted:
    ok_on_demand = on_demand[on_demand["error"].isna()]
    ok_provisioned = provisioned[provisioned["error"].isna()]
    cold_on_demand, cold_provisioned = int(ok_on_demand["cold"].sum()), int(ok_provisioned["cold"].sum())
    ws.check(len(ok_provisioned) == BURST, "m4.provisioned_all_ok")
    ws.check(cold_on_demand > 0, "m4.on_demand_cold")
    ws.check(cold_provisioned == 0, "m4.provisioned_no_cold")
    display(
        Markdown(
            ws.say(
                "m4.provisioned_summary",
                cold=cold_on_demand,
                count=BURST,
                slowest_ms=ok_on_demand["latency_ms"].max(),
                cold_provisioned=cold_provisioned,
                slowest_provisioned_ms=ok_provisioned["latency_ms"].max(),
            )
        )
    )
else:
    ws.check(provision.unreserved - provision.minimum < 1, "m4.provision_skipped")

# %% [markdown]
# ## Step 5: capacity and cost from what you measured
#
# Plan for the peak you measured, not the average: the burst showed how far the peak in flight sits above
# arrival rate x duration. The plan takes the traffic you expect (a share of daily users online at the
# peak, each sending a few requests a minute), the measured Duration, the measured peak-to-average ratio and a
# headroom you choose, and prices a month at the list prices of your region: the AWS Price List API's on AWS,
# the dated snapshot in `helpers/measure/prices.py` on the local target. A line with no price there stays
# empty and the month is then a lower bound. Every assumption is in the table below it.

# %%
DAILY_ACTIVE_USERS = 50_000
PEAK_ONLINE_SHARE = 0.10  # share of daily users online at the peak
REQUESTS_PER_USER_MINUTE = 6  # API calls per online user per minute
HEADROOM = 1.5  # margin on top of the measured peak
AVERAGE_TO_PEAK = 0.3  # the month's average traffic as a share of the peak, for the bill
MEMORY_MB = 128

traffic = measure.capacity.Traffic(DAILY_ACTIVE_USERS, PEAK_ONLINE_SHARE, REQUESTS_PER_USER_MINUTE)


def plan_for(run):
    # the measured peak over the average in flight, the average taken as at least one environment
    peak_factor = max(1.0, run.steady_peak / max(run.model_concurrency, 1.0))
    return measure.capacity.capacity_plan(
        traffic=traffic, duration_ms=run.steady_duration_ms, memory_mb=MEMORY_MB, peak_factor=peak_factor,
        headroom=HEADROOM, average_to_peak=AVERAGE_TO_PEAK,
    )  # fmt: skip


PLAN_V2, PLAN_V3 = ws.say("m4.plan_v2"), ws.say("m4.plan_v3")
plans = {PLAN_V2: plan_for(run_v2), PLAN_V3: plan_for(run_v3)}
book = measure.prices.price_book(ws)  # the prices of the session's region (Seoul in the Korean edition locally)
costs = {name: measure.capacity.monthly_cost(p, book) for name, p in plans.items()}
monthly = ws.say("m4.plan.monthly_at_least" if costs[PLAN_V3].unknown else "m4.plan.monthly")
pd.DataFrame.from_dict(
    {
        name: {
            ws.say("m4.plan.peak_rps"): round(p.peak_requests_per_s),
            ws.say("m4.plan.duration"): round(p.duration_ms, 2),
            ws.say("m4.plan.concurrency"): p.concurrency,
            monthly: round(costs[name].total, 2),
        }
        for name, p in plans.items()
    },
    orient="index",
)

# %%
plan = plans[PLAN_V3]
plan.assumptions()

# %%
views.tables.readable(measure.capacity.monthly_cost(plan, book).lines)

# %%
views.latency.concurrency_figure(
    {name: p.duration_ms for name, p in plans.items()}, max_requests_per_s=max(1000, traffic.peak_requests_per_s * 2)
).show()

# %%
ws.check(
    plan.concurrency >= math.ceil(plan.average_concurrency * HEADROOM - 1e-9),
    "m4.plan_covers",
)
ws.check(plan.concurrency < plans[PLAN_V2].concurrency or plan.concurrency == 1, "m4.plan_fewer")
cost = costs[PLAN_V3]
display(
    Markdown(
        ws.say(
            "m4.plan_summary",
            users=DAILY_ACTIVE_USERS,
            online=PEAK_ONLINE_SHARE,
            rps=traffic.peak_requests_per_s,
            duration_ms=plan.duration_ms,
            average=plan.average_concurrency,
            peak_factor=plan.peak_factor,
            headroom=HEADROOM,
            concurrency=plan.concurrency,
            v2_concurrency=plans[PLAN_V2].concurrency,
            cost=ws.say(
                "m4.plan_cost_at_least" if cost.unknown else "m4.plan_cost",
                monthly=cost.total,
                region=book.region,
                source=book.source,
                unknown=", ".join(cost.unknown),
            ),
        )
    )
)

# %% [markdown]
# ## What you measured
#
# The two bursts side by side, and the effect of the optimization.

# %%
summary = views.loadtests.burst_table(runs)
summary

# %%
display(
    Markdown(
        ws.say(
            "m4.final_summary",
            rate=RATE,
            v2_ms=run_v2.steady_duration_ms,
            v2_peak=run_v2.steady_peak,
            v3_ms=run_v3.steady_duration_ms,
            v3_peak=run_v3.steady_peak,
            v2_throttled=run_v2.throttled,
            v3_throttled=run_v3.throttled,
        )
    )
)

# %% [markdown]
# ## Clean up
#
# Provisioned concurrency is billed every hour it is configured: this removes it, the alias and any
# reserved-concurrency cap. The function keeps the optimized code; module 5 builds on it. `99_cleanup.ipynb`
# removes everything the workshop created.

# %%
removed = m4.cleanup(ws, db)
lam = ws.client("lambda")
ws.check(
    lam.get_function_concurrency(FunctionName=db.function).get("ReservedConcurrentExecutions") is None,
    "m4.no_cap_left",
)
ws.check(
    lam.list_provisioned_concurrency_configs(FunctionName=db.function)["ProvisionedConcurrencyConfigs"] == [],
    "m4.no_provisioned_left",
)
