"""The English messages: key -> str.format template (the keys and placeholders match ko.py's)."""

MESSAGES: dict[str, str] = {
    # -- session ---------------------------------------------------------------------------------------
    "session.checkpoint_passed": "✔ {message}",
    "session.checkpoint_failed": "Checkpoint failed: {message}",
    "session.banner": "Target: {target} ({where}) | account {account} | region {region}",
    "session.where_local": "pocketcloud at {endpoint}",
    "session.where_aws": "a real AWS account",
    "session.costs_money": (
        "Resources created here cost money in account {account} until you delete them: "
        "run notebooks/99_cleanup.ipynb (or python -m helpers.cleanup) when you are done."
    ),
    "session.starting_pocketcloud": "Starting pocketcloud (state in {state_dir}) ...",
    "session.pocketcloud_restarted": (
        "pocketcloud restarted (now at {endpoint}): resources created before are gone. "
        "Re-run this module's setup cells to recreate them."
    ),
    # -- aws: waits and progress bars --------------------------------------------------------------
    "aws.waiting.not_done": "{what}: not done after {seconds:.0f} s",
    "aws.waiting.going_on": "{message}; going on with what is there.",
    "aws.events.placeholder_address": (
        "{email} is a placeholder address that no one can read, so the subscription stays pending and SNS "
        "will email no one. Set EMAIL to your own address and run this step again to get the emails."
    ),
    "aws.events.confirmation_sent": (
        "SNS sent 'AWS Notification - Subscription Confirmation' to {email}. Open it and click 'Confirm "
        "subscription'; this cell waits up to {seconds:.0f} s for that click."
    ),
    "aws.events.waiting_confirmation": "waiting for {email} to confirm",
    "aws.events.confirmed": (
        "{email} confirmed the subscription: SNS now emails it every message published to the topic."
    ),
    "aws.events.not_confirmed": (
        "Not confirmed within {seconds:.0f} s, so SNS will not email {email}. The module goes on without "
        "the email (its checks say so); click the link later and re-run the upload step to get one."
    ),
    "aws.events.real_inbox": "The emails went to your real inbox.",
    "aws.events.mail_in_inbox": "mail {subject!r} in {email}'s inbox",
    "aws.events.sns_delivered": "SNS counted {count:.0f} notification(s) delivered by {topic}",
    "aws.events.waiting_email": "waiting for the email about {contains}",
    "aws.lambdas.becoming_ready": "function {name} becoming ready",
    "aws.lambdas.waiting_iam": "waiting for IAM to let Lambda use {name}'s role",
    "aws.lambdas.provisioning": "provisioning {count} environments",
    "aws.network.deleting_stack": "deleting stack {stack}",
    "aws.network.creating_stack": "creating stack {stack}",
    "aws.network.endpoint_available": "VPC endpoint {endpoint} becoming available",
    "aws.database.waiting_for": "waiting for {identifier}",
    "aws.proxy.available": "RDS Proxy becoming available",
    "aws.proxy.target_healthy": "RDS Proxy target becoming healthy",
    "aws.proxy.deleting": "deleting RDS Proxy",
    "aws.teardown.in_use": "{kind} {name} still in use, retrying",
    "aws.teardown.proxy_deleting": "DB proxy {name} being deleted",
    "aws.teardown.instance_deleting": "DB instance {name} being deleted",
    "aws.teardown.endpoint_deleting": "VPC endpoint {endpoint} being deleted",
    "aws.teardown.stack_deleting": "stack {name} being deleted",
    "aws.teardown.releasing_interfaces": "waiting for Lambda to release its network interfaces in {vpc}",
    "aws.teardown.kept_role": "  kept {name} for now: Lambda needs it to release network interfaces; run again later",
    "aws.teardown.could_not_delete": "  could not delete {kind} {name} yet ({reason}); run the cleanup again later",
    "aws.waiting.seconds_unit": "s",
    # -- aws.iam and measure: waits and partial data -----------------------------------------------
    "aws.iam.role": "role {name}",
    "aws.iam.policy_of_role": "policy {policy} of role {role}",
    "aws.iam.propagating": "letting IAM propagate {what}",
    "measure.metrics.gap_count": "{metric} {seen:.0f} of {count:.0f}",
    "measure.metrics.gap_minute": "{metric} (minute {minute:%H:%M} not published)",
    "measure.metrics.waiting_publish": "waiting for CloudWatch to publish {metrics}",
    "measure.metrics.partial": "CloudWatch has not published everything yet ({gaps}): the figures below are partial.",
    "measure.metrics.fresh_minute": "waiting for a fresh CloudWatch minute",
    "measure.invocations.waiting_reports": "waiting for {count} REPORT lines of {function}",
    "measure.traces.waiting": "waiting for {count} complete traces",
    # -- views: latency figures --------------------------------------------------------------------
    "views.latency.calls_title": "Each call to the API",
    "views.latency.init_bar": "Init Duration (new environment)",
    "views.latency.duration_bar": "Duration (handler)",
    "views.latency.client_line": "latency seen by the client",
    "views.latency.call_number": "call number",
    "views.latency.milliseconds": "milliseconds",
    "views.latency.upload_to_done": "upload until the function finished",
    "views.latency.function_duration": "function Duration (REPORT)",
    "views.latency.upload_title": "From upload to notification",
    "views.latency.upload_number": "upload number",
    "views.latency.concurrency_title": "Concurrency needed = requests per second x duration",
    "views.latency.requests_per_second": "requests per second",
    "views.latency.concurrent_executions": "concurrent executions (environments)",
    # -- views: metric figures ---------------------------------------------------------------------
    "views.metrics.axis_title": "{metric}, {stat} ({unit})",
    "views.metrics.stat.Maximum": "maximum",
    "views.metrics.stat.Minimum": "minimum",
    "views.metrics.stat.Average": "average",
    "views.metrics.stat.Sum": "sum",
    "views.metrics.stat.SampleCount": "sample count",
    "views.metrics.unit.Milliseconds": "ms",
    "views.metrics.unit.Count": "count",
    "views.metrics.unit.Seconds": "s",
    "views.metrics.unit.Percent": "%",
    "views.metrics.no_points_yet": "{title} (no data points yet)",
    "views.metrics.time_utc": "time (UTC)",
    "views.metrics.no_data": "{metric} (no data)",
    "views.metrics.since_first_call": "seconds since the first call started",
    "views.metrics.connection_limit": "connection limit: {limit}",
    "views.metrics.calls_in_flight": "calls in flight",
    "views.metrics.limit": "limit: {limit}",
    "views.outcome.succeeded": "succeeded",
    "views.outcome.throttled": "throttled",
    "views.outcome.refused_connections": "refused: too many connections",
    "views.outcome.other_error": "other error",
    # -- views: tables -----------------------------------------------------------------------------
    "views.tables.unknown_price": "not in the offline snapshot (see the AWS pricing page)",
    "views.tables.masked": "{dots} ({count} characters)",
    "views.tables.resource": "resource",
    "views.tables.value": "value",
    "views.tables.list_price": "list price in USD ({region})",
    "views.tables.hourly": "USD per hour while it exists",
    "views.tables.per_request": "per request + per GB-second of run time",
    "views.tables.only_while_called": "only while called",
    "views.tables.api_gateway": "API Gateway REST",
    "views.tables.per_million_requests": "{usd:.2f} per million requests",
    "views.tables.per_hour": "{usd:.3f} per hour",
    "views.tables.per_vcpu_hour": "{usd:.3f} per vCPU-hour of the instance ({vcpus} vCPU minimum)",
    "views.tables.per_secret_month": "{usd:.2f} per secret-month",
    "views.tables.per_10000_calls": " + {usd:.2f} per 10,000 calls",
    "views.tables.per_secret": "{usd:.4f} per secret",
    "views.tables.vpc_endpoint": "VPC interface endpoint (Secrets Manager)",
    "views.tables.per_az_hour": "{usd:.3f} per AZ-hour (2 AZs)",
    "views.tables.provisioned": "Lambda provisioned concurrency ({memory_mb} MB)",
    "views.tables.per_gb_hour": "{usd:.4f} per GB-hour configured",
    "views.tables.per_environment": "{usd:.4f} per environment",
    "views.tables.xray_price": "5.00 per million traces recorded (first 100,000 per month free)",
    # -- views: traces -----------------------------------------------------------------------------
    "views.traces.service_map": "X-Ray service map",
    "views.traces.no_services": "{title} (no services in this time window)",
    "views.traces.node_hover": "{requests} requests, {errors} errors/faults",
    "views.traces.client": "client",
    "views.traces.node_requests": "{requests} req",
    "views.traces.node_average": ", {ms} avg",
    "views.traces.no_segments": "trace timeline (no segments)",
    "views.traces.bar_hover": "start +{start}, {duration}",
    "views.traces.timeline_title": "Trace {trace_id}: {total_ms:.0f} ms end to end",
    "views.traces.since_start": "time since the trace started (ms)",
    "views.traces.segment_axis": "segment / subsegment",
    "views.traces.latency_title": "Latency per segment",
    "views.traces.segment_slowest": "segment (slowest median first)",
    "views.traces.log_duration": "duration (ms, log scale)",
    # -- modules: tables, diagrams, clean-up lines -------------------------------------------------
    "views.diagrams.client": "client",
    "m3.table.api": "API (stage URL)",
    "m3.table.function": "function",
    "m3.table.db_instance": "DB instance",
    "m3.table.db_instance_value": "{name} ({db_class}, max_connections {max_connections})",
    "m3.table.user_cap": "app user connection cap",
    "m3.table.app_secret": "app secret",
    "m3.client_you": "you",
    "m3.node_stage": "{api} (stage {stage})",
    "m3.missing_secret": "the app secret",
    "m3.and": " and ",
    "m3.to_come": "; to come: {missing}",
    "m3.deployed_title": "Deployed resources ({count}){to_come}",
    "m3.removed_function": "function {name}",
    "m3.removed_proxy": "RDS Proxy {name}",
    "m3.removed_endpoint": "VPC endpoint {endpoint}",
    "m3.removed": "Removed: {items}",
    "m3.nothing_to_remove": "Removed: nothing left to remove",
    "m5.client_notebook": "this notebook",
    "m5.xray_node": "daemon + API",
    "m5.api_back": "API back on {function} (v3, optimized)",
    "m5.tracing_off": "stage tracing off",
    "m5.function_deleted": "function {name} deleted",
    "m5.done": "Done: {items}",
    "m99.not_confirmed": (
        "Nothing deleted: deletion was not confirmed. {count} workshop resources remain, about USD "
        "{usd:.3f} per hour; confirm to delete them."
    ),
    "m99.deleted_one": "  deleted {kind} {name}",
    "m99.deleted_summary": "Deleted {deleted} of {found}; the inventory now lists {left} workshop resources.",
    "m99.ask": "Delete these {count} resources? Type yes to delete: ",
    "m99.found": "Found {count} workshop resources, about USD {usd:.3f} per hour:",
    "m99.none": "  (none)",
    "m99.answer_yes": "Nothing deleted (run with --yes, or answer yes, to delete).",
    # -- notebook 01 -------------------------------------------------------------------------------
    "m1.code_matches": "Lambda runs exactly the code shown above (its CodeSha256 is the hash of our package)",
    "m1.handled_event": "the function handled the one record of the event and published one notification",
    "m1.emailed": "SNS emailed {email} about {key}: {evidence}",
    "m1.not_confirmed": "{email} did not confirm the subscription: not confirmed, skipping the email check.",
    "m1.waiting_logs": "waiting for the function's log lines",
    "m1.logged_upload": "the function logged the upload of {key}",
    "m1.reported": "{count} invocations reported",
    "m1.upload_slower": (
        "for each of the {count} uploads, upload-to-done took longer than the function ran: S3's delivery "
        "and Lambda's start come on top"
    ),
    "m1.summary": (
        "Across {count} uploads, the notification was published a median **{upload_ms:.0f} ms** after the "
        "upload, while the function itself ran a median **{duration_ms:.1f} ms**. The rest is S3 "
        "delivering the event and Lambda starting the call: with asynchronous events you do not wait for "
        "the function, and you do not pay for that waiting either. {cold} of these calls needed a new "
        "execution environment."
    ),
    "m1.node_you": "you",
    "m1.node_upload": "upload a file",
    "m1.node_email": "email",
    "m1.diagram_title": "Module 1: upload -> function -> notification",
    "m1.cleaned": "module 1's {count} resources are deleted: listed again, none of them is left",
    # -- measure: an invocation as shown -----------------------------------------------------------
    "measure.invocations.figures": (
        "duration **{duration_ms:.1f} ms**, billed {billed_ms:.0f} ms, max memory {max_memory_mb:.0f} MB"
    ),
    "measure.invocations.cold": ", init **{init_ms:.1f} ms** (cold start)",
    "measure.invocations.error": " — function error: `{error}`",
    "measure.invocations.status": "Status {status}{error}; {figures}",
    "views.tables.name": "name",
    # -- notebook 02 -------------------------------------------------------------------------------
    "m2.two_subnets": "two private subnets exist",
    "m2.db_available": "{name} is available",
    "m2.db.endpoint": "endpoint",
    "m2.db.port": "port",
    "m2.db.engine": "engine",
    "m2.db.class": "class",
    "m2.db.user": "user",
    "m2.db.password": "password",
    "m2.multi_az_price": (
        "A {db_class} in one zone costs USD {hourly:.3f} per hour in {region} ({source}); Multi-AZ bills "
        "the standby too, about USD {double:.3f} per hour, or USD {double_month:,.2f} instead of USD "
        "{month:,.2f} for a month of 730 hours."
    ),
    "m2.multi_az_no_price": (
        "No price for {db_class} in {region} here; Multi-AZ bills the standby too, so it costs about "
        "twice the single-zone hour."
    ),
    "m2.function_active": "{name} is active in the VPC",
    "m2.reads_db_time": "the function reads the database time",
    "m2.api_answers": "GET / answers 200 with the database time",
    "m2.api_call": "`GET {url}` -> **{status}** in {latency_ms:.0f} ms",
    "m2.regional": "{name} is a regional API: {types}",
    "m2.reports_arrived": "every call's REPORT line reached CloudWatch Logs",
    "m2.all_200": "all {count} calls answered 200",
    "m2.latency_title": "{count} calls to GET /: the first starts a new execution environment",
    "m2.first_cold": "the first call was a cold start and the {warm} after it were warm",
    "m2.cold_slower": "the cold start took longer end to end than the median warm call",
    "m2.summary": (
        "The first call took **{cold_ms:.0f} ms** end to end, of which **{init_ms:.0f} ms** was Lambda "
        "starting a new execution environment (Init Duration) before the handler ran for {handler_ms:.0f} "
        "ms. The {warm} warm calls that followed took a median **{warm_ms:.0f} ms**, with the handler "
        "itself running a median {warm_handler_ms:.0f} ms: most of that is opening a new database "
        "connection on every call, which module 4 removes."
    ),
    "m2.node_client": "client",
    "m2.node_layer": "{function} + layer pymysql",
    "m2.diagram_title": "Module 2: REST API -> Lambda -> MySQL, inside VPC {vpc}",
    "m2.kept": "Kept for module 3.",
    "m2.gone": "gone",
    "m2.db_deleted": "module 2's database is deleted (or deleting, on AWS): {left}",
    "m2.function_deleted": "{name} is deleted",
    "m2.api_deleted": "the API {name} is deleted",
    # -- notebook 03 -------------------------------------------------------------------------------
    "m3.row.function": "function",
    "m3.row.api": "API",
    "m3.row.db_instance": "DB instance",
    "m3.row.master_secret": "master secret",
    "m3.rds_format": "the secret has the RDS format",
    "m3.one_privilege": "MySQL lists exactly one privilege for user 'app': SELECT on the {dbname} database",
    "m3.write_refused": "MySQL refuses a write by user 'app': {write}",
    "m3.only_app_secret": "the function may read only the app secret",
    "m3.no_broad_policy": "no broad Secrets Manager policy",
    "m3.proxy.proxy": "proxy",
    "m3.proxy.status": "status",
    "m3.proxy.endpoint": "endpoint",
    "m3.proxy.max_connections": "instance max_connections",
    "m3.proxy.pool_size": "pool size at most",
    "m3.proxy_available": "the proxy is available",
    "m3.http_answer": "HTTP {status} in {latency_ms:.0f} ms: {body}",
    "m3.v2_answers": "the API answers with the v2 handler",
    "m3.connects_to_proxy": "the function connects to the proxy's endpoint ({endpoint}), not to the instance",
    "m3.no_password_env": "no password left in the function's environment variables",
    "m3.path_direct": "direct to MySQL",
    "m3.path_proxy": "through RDS Proxy",
    "m3.direct_refused": (
        "{count} direct connections exceed the limit of {limit}: MySQL refuses some for too many connections"
    ),
    "m3.proxy_all_succeed": "through the proxy all {count} calls succeed",
    "m3.in_flight_title": "{count} simultaneous calls, direct and through RDS Proxy",
    "m3.late_found_place": "{late} of them found a place freed by a call that had already finished",
    "m3.late_none": (
        "no login came late enough to find a freed place (the proxy's idle connections of the same user count too)"
    ),
    "m3.warm_no_cold": "the warm-up started {count} environments per function: no measured call was a cold start",
    "m3.burst_summary": (
        "The warm-up took {rounds} round(s) of calls ({cold} cold starts, {throttled} calls throttled "
        "while Lambda added environments) for the direct function. The {count} measured calls then "
        "started within **{spread_ms:.0f} ms** of each other, none of them a cold start. **{ok}** direct "
        "calls succeeded against a limit of {limit}: a successful call spent a median **{setup_s:.2f} s** "
        "fetching the secret and logging in before its {hold_s} s query, so logins were spread out and "
        "{late_text}. A refused call took a median **{refused_s:.2f} s** (at most {refused_max_s:.2f} s): "
        "the same secret fetch and login, refused by MySQL at the end of it (error 1226), not a timeout "
        "(the handler's `connect_timeout` is 5 s, and a timeout reports error 2003). On this machine the "
        "calls' environments share 2 CPU cores, which stretches every login; on AWS each environment has "
        "its own CPU share, and a login costs network round trips instead."
    ),
    "m3.peak_title": "Peak connections during the measurement (CloudWatch, per-minute maximum)",
    "m3.connections": "connections",
    "m3.clients_arrived": "the function's connections arrived at the proxy (its ClientConnections)",
    "m3.proxy_within_limit": "the proxy never held more database connections than the user may have",
    "m3.gauge_summary": (
        "`ClientConnections` is a gauge: the clients connected to the proxy at the moment it is sampled "
        "(pocketcloud samples once a second; CloudWatch keeps the minute's maximum). Its peak, "
        "**{peak_clients:.0f}**, is therefore not the {count} calls of the minute but those connected at "
        "one sampling moment; by this notebook's clock at most **{in_flight}** calls through the proxy "
        "were in flight at once, and a call connects only after fetching its secret. The "
        "**{peak_db:.0f}** database connections served them all, each call waiting its turn for one."
    ),
    "m3.outcomes_title": "{count} simultaneous calls, each holding a connection for {hold_s} s",
    "m3.calls": "calls",
    "m3.outcome_summary": (
        "Connecting directly, **{failed} of {count}** calls failed: each execution environment opened its "
        "own connection and MySQL refused those beyond the app user's limit of {limit} (every open "
        "connection of that user counts, including idle ones the proxy keeps from earlier steps). Through "
        "RDS Proxy **{succeeded} of {count}** succeeded: up to **{clients:.0f}** client connections "
        "shared at most **{peak_db:.0f}** database connections, and calls waited briefly for a free one "
        "instead of failing. The slowest call through the proxy took **{slowest_s:.1f} s**."
    ),
    "m3.path_direct_short": "direct",
    "m3.login_costs_more": "opening a connection costs more than a query on an open one",
    "m3.login_summary": (
        "Logging in straight to MySQL took a median **{login_ms:.1f} ms**; a query on a connection "
        "already open took **{query_ms:.2f} ms**, about **{ratio:,.0f} times** less. Through the proxy a "
        "login took {proxy_login_ms:.1f} ms and a query {proxy_query_ms:.2f} ms; more to the point, the "
        "proxy answers the login itself and lends a database connection it already holds, so MySQL sets "
        "up no new session. These are loopback figures: on this machine no network lies between the "
        "function and the database. On AWS each login crosses the VPC's network several times; for scale, "
        "the original workshop published a drop from about 700 ms to about 7 ms per call once the secret "
        "fetch and the connection moved out of the handler (the original workshop's measurement, not this "
        "run's). Module 4 measures that move here."
    ),
    "m3.functions_gone": "the comparison, setup and check functions are gone",
    "m3.proxy_stays": "the proxy stays for modules 4 and 5",
    "views.metrics.column.path": "path",
    "views.metrics.column.outcome": "outcome",
    "views.metrics.column.calls": "calls",
    "views.metrics.column.run": "run",
    # -- notebook 05 -------------------------------------------------------------------------------
    "m5.row.function": "function",
    "m5.row.function_tracing": "function tracing",
    "m5.row.layers": "layers",
    "m5.row.stage_tracing": "stage tracing",
    "m5.lambda_tracing_on": "Lambda active tracing is on",
    "m5.stage_tracing_on": "API Gateway stage tracing is on",
    "m5.col.trace_id": "trace id",
    "m5.col.status": "status",
    "m5.col.version": "version",
    "m5.all_200": "every call answered 200",
    "m5.trace_per_call": "X-Ray holds a trace for each of the {count} calls",
    "m5.three_segments": "the trace has API Gateway, Lambda and function segments",
    "m5.cold_initialization": "the first call's trace shows the cold start (Initialization)",
    "m5.later_warm": "the {count} later calls' traces have no Initialization: they were warm",
    "m5.sql_subsegment": "the trace has an SQL subsegment",
    "m5.cold_title": "Cold start: trace {trace_id}",
    "m5.warm_title": "Warm call: trace {trace_id}",
    "m5.map_title": "Service map of the {count} traced calls",
    "m5.window": (
        "The window asked for: **{seconds:.1f} s**, from {start:%H:%M:%S} to {end:%H:%M:%S} UTC, for {count} calls."
    ),
    "m5.map_chain": "the map shows client -> API Gateway -> Lambda -> function",
    "m5.map_sql": "the map shows the SQL database the function queries",
    "m5.load_test_run": "traced load test",
    "m5.sampling": (
        "The load test sent **{requests}** requests in {seconds} s and X-Ray recorded **{sampled}** "
        "traces. The default rule predicts about {expected:.0f}: one per second ({seconds}) plus 5 % of "
        "the other {others}. On AWS the last seconds' traces may not be searchable yet when this cell "
        "runs."
    ),
    "m5.segments_title": "Latency per segment, {count} sampled traces",
    "m5.traces_left": "the load test left sampled traces to analyse",
    "m5.summary": (
        "The first call took **{cold_ms:.0f} ms** end to end, of which **{init_ms:.0f} ms** were the cold "
        "start's initialization; the SQL query itself took **{sql_ms:.1f} ms**. A warm call took "
        "**{warm_ms:.0f} ms** in total. The service map counted **{invocations}** function invocations "
        "and shows the whole chain from the client to the SQL database."
    ),
    "m5.api_calls_again": "the API calls {function} again",
    "m5.stage_tracing_off": "stage tracing is off",
    "m5.traced_gone": "the traced function is gone",
    # -- notebook 99 -------------------------------------------------------------------------------
    "m99.inventory": "{count} workshop resources, about USD {usd:.3f} per hour",
    "m99.broad_policy": "{role}: broad managed policy {arn}",
    "m99.wildcard": "{role}/{policy}: wildcard action {action}",
    "m99.roles_least_privilege": (
        "none of the {count} workshop roles has wildcard actions or broad managed policies{problems}"
    ),
    "m99.no_roles": "No workshop role exists any more: there is nothing to check.",
    "m99.left_row": "\n  left: {kind} {name}",
    "m99.nothing_left": (
        "the inventory, listed again after deleting, shows nothing of the workshop's ({count} were listed){left}"
    ),
    "m99.second_finds_nothing": "a second clean-up finds nothing and deletes nothing",
    # -- load tests, bursts, capacity plans (views/loadtests, measure/capacity, module 4) ----------
    "views.loadtests.panel_succeeded": "succeeded (requests/s)",
    "views.loadtests.panel_failed": "failed (requests/s)",
    "views.loadtests.panel_p50": "median latency (ms)",
    "views.loadtests.panel_p95": "p95 latency (ms)",
    "views.loadtests.run": "run",
    "views.loadtests.side_by_side": "Load tests side by side",
    "views.loadtests.since_start": "time since the load test started (s)",
    "views.loadtests.row.rate": "arrival rate (calls/s)",
    "views.loadtests.row.succeeded": "succeeded",
    "views.loadtests.row.throttled": "throttled",
    "views.loadtests.row.throttled_pct": "throttled (%)",
    "views.loadtests.row.other_errors": "other errors",
    "views.loadtests.row.ok_p50": "succeeded p50 (ms)",
    "views.loadtests.row.ok_p95": "succeeded p95 (ms)",
    "views.loadtests.row.throttled_p50": "throttled p50 (ms)",
    "views.loadtests.row.environments": "environments started",
    "views.loadtests.row.cleared_at": "throttles cleared at (s)",
    "views.loadtests.row.never": "never",
    "views.loadtests.row.mean_duration": "mean Duration once scaled (ms)",
    "views.loadtests.row.model": "rate x duration",
    "views.loadtests.row.p99_duration": "p99 Duration once scaled (ms)",
    "views.loadtests.row.peak_model": "peak the model allows",
    "views.loadtests.row.peak_model_range": "{low} to {high}",
    "views.loadtests.row.steady_peak": "peak concurrency once scaled",
    "views.loadtests.environments_started": "{name}: environments started",
    "views.loadtests.in_flight_peak": "{name}: invocations in flight (peak)",
    "views.loadtests.scaling_limit": "most the scaling rate allows",
    "views.loadtests.percentile_ok": "{name}: {percentile} of successful calls",
    "views.loadtests.since_burst": "seconds since the burst began (s)",
    "views.loadtests.calls_per_second": "calls per second",
    "views.loadtests.environments": "environments",
    "views.loadtests.latency_ms": "latency (ms)",
    "views.loadtests.refused_calls": "refused calls (load generator)",
    "views.loadtests.cloudwatch_throttles": "Throttles (CloudWatch, Sum)",
    "views.loadtests.calls": "calls",
    "measure.loadtest.progress": "{rate:.0f} calls/s, {failures} failed",
    "measure.loadtest.label": "load test",
    "measure.capacity.col.assumption": "assumption",
    "measure.capacity.col.value": "value",
    "measure.capacity.col.source": "source",
    "measure.capacity.peak_rps": "peak requests/s",
    "measure.capacity.peak_rps_source": "the traffic you expect at the busiest moment",
    "measure.capacity.duration": "duration (ms)",
    "measure.capacity.duration_source": "measured: mean Duration once scaled, weighted by calls",
    "measure.capacity.average_concurrency": "average concurrency",
    "measure.capacity.average_concurrency_source": "requests/s x duration (Little's law)",
    "measure.capacity.peak_factor": "peak / average",
    "measure.capacity.peak_factor_source": "measured: peak in flight / (rate x duration)",
    "measure.capacity.headroom": "headroom",
    "measure.capacity.headroom_source": "your margin on top of the measured peak",
    "measure.capacity.concurrency": "concurrency to plan for",
    "measure.capacity.concurrency_source": "average x peak/average x headroom, rounded up",
    "measure.capacity.average_to_peak": "average / peak traffic",
    "measure.capacity.average_to_peak_source": "for the monthly bill: traffic is not flat",
    "measure.capacity.lambda_requests": "Lambda requests",
    "measure.capacity.lambda_duration": "Lambda duration",
    "measure.capacity.api_requests": "API Gateway REST requests",
    "measure.capacity.secrets_vpc_endpoint": "Secrets Manager VPC endpoint",
    "measure.capacity.provisioned": "Lambda provisioned concurrency",
    "measure.capacity.usage_requests": "{count:,.0f} requests",
    "measure.capacity.usage_hours": "{hours:.0f} h",
    "measure.capacity.usage_secrets": "{count} secret(s)",
    "measure.capacity.usage_az_hours": "{azs} AZ x {hours:.0f} h",
    "measure.capacity.usage_vcpu_hours": "{vcpus} vCPU x {hours:.0f} h",
    "measure.capacity.usage_env_hours": "{count} env x {hours:.0f} h",
    "m4.waiting_totals": "waiting for CloudWatch to publish the bursts' totals",
    "m4.room": (
        "The account's concurrency quota is {quota}, {unreserved} of it unreserved; at least {minimum} "
        "must stay unreserved, so {free} can be set aside."
    ),
    "m4.room_fits": "{head} {wanted} fits.",
    "m4.room_nothing": (
        "{head} Nothing fits: this step is skipped. A new account starts with a small quota; ask for an "
        "increase in Service Quotas (Lambda, Concurrent executions) to try it."
    ),
    "m4.room_partly": "{head} {wanted} does not fit: this step uses {granted}.",
    "m4.refused": "Lambda refused it: {message}",
    "m4.removed_alias": "alias {alias} and its provisioned concurrency",
    "m4.removed_cap": "reserved concurrency cap",
    "m4.client_locust": "Locust (load generator)",
    "views.loadtests.errors": "errors",
    # -- notebook 04 -------------------------------------------------------------------------------
    "m4.http_answer": "HTTP {status} in {latency_ms:.0f} ms: {body}",
    "m4.api_through_proxy": "the API answers with the database time through the proxy",
    "m4.burst_plan": (
        "{opening} calls at once, then {rate} calls/s for {seconds} s; a function may add {scaling_rate} "
        "environments every 10 s, at most {scaling_rate} at once"
    ),
    "m4.run_v2": "unoptimized (v2)",
    "m4.run_v3": "optimized (v3)",
    "m4.burst_v2_title": "A burst of {rate} calls/s on the unoptimized function",
    "m4.scaling_rate_kept": "environments were added no faster than the scaling rate ({scaling_rate} per 10 s)",
    "m4.throttled_when_needed": (
        "calls were throttled exactly when the burst needed more new environments than the scaling rate gives at once"
    ),
    "m4.ramp_throttled": (
        "In this run the burst needed more environments at once than the scaling rate allows ({allowance}): "
        "Lambda started **{environments}**, and **{throttled}** calls arriving while the first cold starts ran "
        "were throttled; {cleared}"
    ),
    "m4.ramp_cleared": "from second {second} on, the warm environments took every call.",
    "m4.ramp_never": "the throttles had not stopped when the burst ended.",
    "m4.ramp_not_needed": (
        "In this run the first cold starts ended before the burst needed more than the {allowance} environments "
        "the scaling rate allows at once, so no call was throttled: Lambda started **{environments}** and reused "
        "them. Slower cold starts (a busier machine) or a higher arrival rate pile up more calls, and those "
        "beyond the limit are throttled."
    ),
    "m4.throttles_stopped": "once the function had scaled, the throttles stopped (the last seconds had none)",
    "m4.generator_kept_up": (
        "Locust sent {sent:.1f} calls/s of the {rate} asked for: the generator kept up (within 20 %)"
    ),
    "m4.v2_summary": (
        "Once scaled, the unoptimized function took **{duration_ms:.1f} ms** per call: {rate} calls/s x "
        "{duration_s:.3f} s = **{model:.2f}** environments on average, and between {low} and {high} at "
        "the peak with the slowest calls ({p99_ms:.1f} ms, p99); the measured peak in flight was "
        "**{peak}**. The burst started **{environments}** environments and **{throttled}** of {total} "
        "calls were throttled while it scaled ({errors} failed otherwise)."
    ),
    "m4.model_holds_v2": "the peak concurrency once scaled matches arrival rate x duration (within the tolerance)",
    "m4.version_v2": "v2: inside the handler",
    "m4.version_v3": "v3: outside the handler",
    "m4.warm_duration_title": "Duration of warm calls (REPORT lines)",
    "m4.duration_ms": "duration (ms)",
    "m4.warm_faster": "warm calls are faster once the secret and the connection are reused",
    "m4.warm_summary": (
        "A warm call took **{v2_ms:.1f} ms** (median) with everything inside the handler and "
        "**{v3_ms:.1f} ms** with the initialization moved out: **{speedup:.1f}x** faster. (On AWS the "
        "secret and the connection cross a network: the original workshop measured about 700 ms before "
        "and 7 ms after. Here they cross loopback, so both numbers are smaller.)"
    ),
    "m4.same_burst_title": "The same burst of {rate} calls/s before and after the optimization",
    "m4.model_holds_v3": "optimized: the peak concurrency once scaled matches arrival rate x duration",
    "m4.fewer_environments": "the same arrival rate needs a fraction of the environments once the function is faster",
    "m4.throttled_title": "Throttled calls during both bursts",
    "m4.cw_published": "CloudWatch published Invocations and Errors",
    "m4.cw_throttles": "CloudWatch published the Throttles the client saw",
    "m4.every_500_throttle": (
        "every call refused was a throttle: {answered} answered 500 and {direct} direct calls refused, "
        "{throttles:.0f} Throttles"
    ),
    "m4.other_failed": "the other failed calls ({errors}) are the invocations that failed ({cw_errors:.0f} Errors)",
    "m4.cw_counted": "CloudWatch counted every successful call",
    "m4.capped_run": "capped at {cap}",
    "m4.cap_title": "{rate} calls/s of {hold_s} s against a cap",
    "m4.cap_share": "The cap throttled **{share:.0%}** of the calls; the model says about **{expected:.0%}**.",
    "m4.never_more": "never more than {cap} in flight",
    "m4.share_model": "the throttled share is about 1 - cap / (rate x duration)",
    "m4.cap_skipped": "the cap was skipped only because the account has no room for it",
    "m4.provisioned_ready": "{count} environments are initialized and waiting",
    "m4.setup_on_demand": "on demand (unqualified)",
    "m4.setup_provisioned": "provisioned (alias live)",
    "m4.simultaneous_title": "{count} simultaneous calls: client-side latency",
    "m4.latency_ms": "latency (ms)",
    "m4.provisioned_all_ok": "every call to the provisioned alias succeeded",
    "m4.on_demand_cold": "the burst on the updated function started new environments (cold starts)",
    "m4.provisioned_no_cold": "no successful call to the provisioned alias had a cold start",
    "m4.provisioned_summary": (
        "On demand, **{cold} of {count}** calls started a new environment and the slowest took "
        "**{slowest_ms:.0f} ms**. With {count} provisioned environments there were **{cold_provisioned}** "
        "cold starts and the slowest call took **{slowest_provisioned_ms:.0f} ms**."
    ),
    "m4.provision_skipped": "provisioning was skipped only because nothing fits",
    "m4.plan_v2": "v2 (inside the handler)",
    "m4.plan_v3": "v3 (outside the handler)",
    "m4.plan.peak_rps": "peak requests/s",
    "m4.plan.duration": "duration (ms)",
    "m4.plan.concurrency": "concurrency to plan for",
    "m4.plan.monthly": "monthly cost (USD)",
    "m4.plan.monthly_at_least": "monthly cost (USD, at least: some lines have no price)",
    "m4.plan_covers": "the plan covers the average concurrency at the peak plus the headroom",
    "m4.plan_fewer": "the optimized function needs fewer environments for the same traffic",
    "m4.plan_summary": (
        "{users:,} daily users with {online:.0%} online at the peak make **{rps:,.0f} requests/s**. At "
        "the measured {duration_ms:.1f} ms per call that is {average:.1f} environments on average; with "
        "the measured peak-to-average of {peak_factor:.2f} and a headroom of {headroom}, plan for "
        "**{concurrency} concurrent environments**, versus {v2_concurrency} for the unoptimized code. {cost}"
    ),
    "m4.plan_cost": "A month costs about **USD {monthly:,.0f}** at the list prices of {region} ({source}).",
    "m4.plan_cost_at_least": (
        "A month costs at least **USD {monthly:,.0f}** at the list prices of {region} ({source}); no price "
        "here for: {unknown}."
    ),
    "m4.final_summary": (
        "The same burst of {rate} calls/s: the unoptimized function took **{v2_ms:.1f} ms** per call once "
        "scaled and needed up to **{v2_peak}** environments at once; the optimized one took **{v3_ms:.1f} "
        "ms** and needed **{v3_peak}**. While scaling, **{v2_throttled}** and **{v3_throttled}** calls "
        "were throttled. Concurrency is requests per second times duration, so a faster function is also "
        "a cheaper and more scalable one."
    ),
    "m4.no_cap_left": "the function has no reserved-concurrency cap left",
    "m4.no_provisioned_left": "no provisioned concurrency is left to bill",
    # Table column headers (views.tables.readable): the data keep the English column names.
    "views.tables.column.kind": "kind",
    "views.tables.column.name": "name",
    "views.tables.column.detail": "detail",
    "views.tables.column.usd_per_hour": "USD per hour",
    "views.tables.column.key": "key",
    "views.tables.column.upload_to_done_ms": "upload to done (ms)",
    "views.tables.column.duration_ms": "duration (ms)",
    "views.tables.column.init_ms": "init (ms)",
    "views.tables.column.cold": "cold start",
    "views.tables.column.call": "call",
    "views.tables.column.status": "status",
    "views.tables.column.latency_ms": "latency (ms)",
    "views.tables.column.label": "segment",
    "views.tables.column.start_ms": "start (ms)",
    "views.tables.column.sql": "SQL",
    "views.tables.column.ref": "ref",
    "views.tables.column.type": "type",
    "views.tables.column.root": "entry point",
    "views.tables.column.requests": "requests",
    "views.tables.column.errors": "errors",
    "views.tables.column.avg_ms": "average (ms)",
    "views.tables.column.count": "count",
    "views.tables.column.50%": "median (ms)",
    "views.tables.column.95%": "p95 (ms)",
    "views.tables.column.max": "max (ms)",
    "views.tables.column.Protocol": "protocol",
    "views.tables.column.Endpoint": "endpoint",
    "views.tables.column.SubscriptionArn": "subscription ARN",
    "views.tables.column.timestamp": "time",
    "views.tables.column.subject": "subject",
    "views.tables.column.version": "version",
    "views.tables.column.path": "path",
    "views.tables.column.outcome": "outcome",
    "views.tables.column.step": "step",
    "views.tables.column.connect": "open a connection (log in)",
    "views.tables.column.query": "query on an open connection",
    "views.tables.column.setup": "setup",
    "views.tables.column.calls": "calls",
    "views.tables.column.succeeded": "succeeded",
    "views.tables.column.cold_starts": "cold starts",
    "views.tables.column.median_ms": "median (ms)",
    "views.tables.column.max_ms": "max (ms)",
    "views.tables.column.item": "item",
    "views.tables.column.usage": "usage",
    "views.tables.column.usd": "USD per month",
    "views.tables.column.users": "users",
    "views.tables.column.duration_s": "duration (s)",
    "views.tables.column.failed": "failed",
    "views.tables.column.failure_pct": "failed (%)",
    "views.tables.column.requests_per_s": "requests/s",
    "views.tables.column.succeeded_per_s": "succeeded/s",
    "views.tables.column.p50_ok_ms": "p50 of successes (ms)",
    "views.tables.column.p95_ok_ms": "p95 of successes (ms)",
    "views.tables.column.p50_failed_ms": "p50 of failures (ms)",
    # Values the data share with the code, as table cells show them (views.tables.value_label).
    "views.tables.value.True": "True",
    "views.tables.value.False": "False",
    "views.tables.value.confirmation": "confirmation",
    "views.tables.value.notification": "notification",
    # A module's resource names (the keys of its names(ws)), as views.tables.names_table shows them.
    "views.tables.kind.topic": "topic",
    "views.tables.kind.bucket": "bucket",
    "views.tables.kind.function": "function",
    "views.tables.kind.role": "role",
    "views.tables.kind.network": "network",
    "views.tables.kind.subnet_group": "subnet_group",
    "views.tables.kind.db": "db",
    "views.tables.kind.db_secret": "db_secret",
    "views.tables.kind.layer": "layer",
    "views.tables.kind.api": "api",
    "measure.prices.snapshot_of": "snapshot of {date}",
    "measure.prices.no_snapshot": "no snapshot for {region}",
    "measure.prices.price_list": "AWS Price List API, {date}",
    "measure.prices.from_snapshot": "from the {source}: {figures}",
    "measure.prices.price_list_refused": "the Price List API answered {answer}; showing the bundled snapshot",
    # Errors the helpers raise where a learner sees them.
    "errors.function_failed": "{function} failed: {answer}",
    "aws.lambdas.provisioning_failed": "provisioned concurrency failed: {reason}",
    "aws.database.no_standard_support": (
        "RDS lists no {engine} major version in standard support: every one left would be billed for RDS "
        "Extended Support. Choose a version yourself (describe_db_engine_versions) and accept that cost."
    ),
    "aws.network.too_few_zones": (
        "this region has fewer than {count} availability zones where both Lambda and the DB instance class run "
        "(found {found}); choose another region"
    ),
    "aws.network.stack_failed": "stack {stack} ended in {status}",
    "aws.events.link_did_not_confirm": (
        "following the link in {email}'s confirmation mail did not confirm the subscription"
    ),
    "aws.iam.boundary_outdated": (
        "The permissions boundary {policy} differs from this workshop's and you may not change it: ask whoever "
        "deployed {template} to update the stack. Functions may be refused what the newer workshop needs."
    ),
    "aws.iam.boundary_missing": (
        "this account has no IAM policy {policy}, the permissions boundary every workshop role must carry, and you may "
        "not create it: ask an administrator to deploy {template} (it creates the policy), then run the cell again"
    ),
    "aws.iam.no_wildcards": "name each action: wildcard actions are not least privilege",
    "session.bad_target": "the target must be 'local' or 'aws' (WORKSHOP_TARGET or connect()), not {target}",
    "measure.capacity.bad_factors": "peak_factor and headroom must be >= 1, average_to_peak in (0, 1]",
    "measure.capacity.rate_or_traffic": "give either requests_per_s or traffic",
    "measure.capacity.bad_duration_or_memory": "duration_ms must be > 0 and memory_mb >= 128",
    "measure.capacity.unknown_class": "unknown instance class {db_class}; known: {known}",
    "measure.loadtest.bad_parameters": "users must be >= 1, duration > 0 and rate >= 0",
    "measure.loadtest.locust_failed": "Locust exited with {code}:\n{log}",
    "measure.loadtest.locust_did_not_stop": "Locust did not stop in time",
    "measure.metrics.bad_period": "period must be at least 1 second",
    "measure.metrics.end_before_start": "end must be after start",
    "measure.traces.no_segments": "no segments in these traces: nothing to take a window from",
    "measure.invocations.bad_count": "count must be >= 1",
    "m99.cli.usage": "usage: ",
    "m99.cli.description": "Remove everything the workshop created (its tag and prefix).",
    "m99.cli.options": "options",
    "m99.cli.help": "show this help message and exit",
    "m99.cli.dry_run": "list what would be deleted, delete nothing",
    "m99.cli.yes": "delete without asking",
    "views.tables.column.segment": "segment",
    "views.tables.value.client": "client",
    # A trace's rows as segments_frame labels them (the data keep "segment" and "subsegment" in its kind column).
    "measure.traces.kind.segment": "segment",
    "measure.traces.kind.subsegment": "subsegment",
}
