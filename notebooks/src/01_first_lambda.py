# %% [markdown]
# # Module 1: your first Lambda function
#
# You will build a small event-driven pipeline: when a file is uploaded to an S3 bucket, S3 calls a
# Lambda function, and the function sends a notification through SNS to an email address.
#
# ```
# you --upload--> S3 bucket --event--> Lambda function --publish--> SNS topic --email--> inbox
# ```
#
# **What you will measure**: how long it takes from an upload until the notification is published,
# and how long the function itself runs (from the `REPORT` line Lambda writes after every call).
#
# **Time**: about 2 minutes on the local target, about 10 minutes on AWS.
#
# **Cost on AWS** (us-east-1 list prices; all of it falls within the free tier for this module):
#
# | resource | price |
# |---|---|
# | S3 storage | USD 0.023 per GB-month (a few bytes here) |
# | Lambda | USD 0.20 per million requests + USD 0.0000166667 per GB-second |
# | SNS email | first 1,000 emails per month free, then USD 2.00 per 100,000 |
#
# Nothing here bills by the hour, but run the clean-up cell at the end anyway (or
# `99_cleanup.ipynb`, which removes everything the workshop created).

# %% [markdown]
# ## Setup
#
# `helpers.connect()` decides where everything runs: **pocketcloud**, an AWS that runs on this
# machine, unless you chose your AWS account explicitly (`WORKSHOP_TARGET=aws`, or
# `helpers.connect("aws")`); having AWS credentials is not enough. It prints which one it chose, and on
# AWS the account and region that will be billed.

# %%
import datetime as dt
import time

import pandas as pd
from IPython.display import Markdown, display

import helpers
from helpers import aws, measure, views
from helpers.modules import m1_first_lambda as m1

ws = helpers.connect()
names = m1.names(ws)
views.tables.names_table(names)

# %% [markdown]
# Parameters you may change. **On AWS, put your own address in `EMAIL`**: SNS sends a confirmation
# message there first and delivers notifications only after you click its link. The example address
# works on the local target only, where the mails land in pocketcloud's mailbox.

# %%
EMAIL = "learner@example.com"  # on AWS: your own address
CONFIRM_WAIT_S = ws.default(local=30, aws=300)  # how long step 1 waits for you to click the link
UPLOADS = 5  # files uploaded in the measurement step

# %% [markdown]
# ## Step 1: a topic and an email subscription
#
# An SNS **topic** is a named channel: publishers send messages to it, and SNS delivers a copy to every
# **subscription**. An email subscription starts as *pending confirmation*, so nobody can be signed up
# for mail they did not ask for.

# %%
topic_arn = aws.events.ensure_topic(ws, names["topic"])
aws.events.subscribe_email(ws, topic_arn, EMAIL)
views.tables.readable(
    pd.DataFrame(ws.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"])[
        ["Protocol", "Endpoint", "SubscriptionArn"]
    ]
)

# %% [markdown]
# Until it is confirmed, the subscription shows as `PendingConfirmation`. Confirm it: open the email
# *AWS Notification - Subscription Confirmation* and click its link. The next cell waits for that
# (at most `CONFIRM_WAIT_S` seconds). On the local target the helper opens the link from
# pocketcloud's mailbox for you, exactly as your click would. If nobody confirms in time, the module
# goes on without the email and says so where the email would be checked.

# %%
confirmed = aws.events.wait_for_confirmation(ws, topic_arn, EMAIL, timeout_s=CONFIRM_WAIT_S)
confirmed

# %% [markdown]
# ## Step 2: the bucket
#
# Bucket names are global across all AWS accounts, so the name includes your account id and region.

# %%
bucket = aws.events.ensure_bucket(ws, names["bucket"])
bucket

# %% [markdown]
# ## Step 3: a role for the function
#
# A Lambda function acts with the permissions of its **execution role**. This one may write its own
# logs (the AWS managed `AWSLambdaBasicExecutionRole`) and publish to *this* topic, nothing else.
#
# The role also carries the workshop's **permissions boundary** (`sas-workshop-boundary`): a ceiling
# on what any workshop role may do, whatever policies it is given. A role may do only what both its
# policies and its boundary allow.

# %%
role_arn = aws.iam.ensure_lambda_role(
    ws,
    names["role"],
    inline={"publish-uploads": aws.iam.policy(aws.iam.allow("sns:Publish", topic_arn))},
)
aws.iam.role_policies(ws, names["role"])

# %% [markdown]
# ## Step 4: the function
#
# This is the code you deploy. Lambda calls `lambda_handler(event, context)` once per event; the
# SNS client is created outside the handler so that warm calls reuse it.

# %%
views.tables.show_code("s3_notifier")

# %%
config = aws.lambdas.deploy_function(
    ws, names["function"], "s3_notifier", role_arn=role_arn, env={"TOPIC_ARN": topic_arn}
)
ws.check(
    config["CodeSha256"] == aws.lambdas.code_sha256(aws.lambdas.zip_folder("s3_notifier")),
    "m1.code_matches",
)
{k: config[k] for k in ("FunctionName", "Runtime", "Handler", "MemorySize", "Timeout", "CodeSha256")}

# %% [markdown]
# Try it by hand first: invoke the function with an event shaped like the one S3 sends. The result
# shows the function's answer and the figures from its `REPORT` line.

# %%
sample_event = {"Records": [{"s3": {"bucket": {"name": bucket}, "object": {"key": "hand-made+test.txt", "size": 3}}}]}
first = measure.invocations.invoke(ws, names["function"], sample_event)
ws.check(
    first.status == 200 and first.error is None and first.payload == {"notified": 1},
    "m1.handled_event",
)
first

# %% [markdown]
# ## Step 5: S3 calls the function on every upload
#
# Two things are needed: the function's resource policy must allow S3 to invoke it, and the bucket
# needs a notification configuration that sends `ObjectCreated` events to it.

# %%
aws.events.notify_function_on_upload(ws, bucket, names["function"])
ws.client("s3").get_bucket_notification_configuration(Bucket=bucket)["LambdaFunctionConfigurations"]

# %% [markdown]
# ## Step 6: upload a file and get the email
#
# S3 invokes the function *asynchronously*: the upload returns at once and the function runs right
# after. On AWS the email arrives in your inbox (the helper sees SNS count it as delivered, which can
# take a few minutes to show); locally it lands in pocketcloud's mailbox. SNS emails only a confirmed
# subscription, so without the click in step 1 there is no email to check.

# %%
key = f"reports/hello-{int(time.time())}.txt"
sent_at = dt.datetime.now(dt.UTC)
ws.client("s3").put_object(Bucket=bucket, Key=key, Body=b"Hello from module 1")
if confirmed:
    delivered = aws.events.email_delivered(
        ws, topic_arn, EMAIL, key, since=sent_at, timeout_s=ws.default(local=60, aws=900)
    )
    ws.check(delivered is not None, "m1.emailed", email=EMAIL, key=key, evidence=delivered)
else:
    print(ws.say("m1.not_confirmed", email=EMAIL))
views.tables.readable(aws.events.mailbox(ws, to=EMAIL)[["timestamp", "subject", "kind"]])

# %% [markdown]
# The function's logs show each call: a `START` line, what the handler printed, `END`, and the
# `REPORT` line with its duration and memory.

# %%
logs = aws.waiting.poll(  # CloudWatch Logs shows new lines after a moment (seconds on AWS)
    lambda: aws.lambdas.recent_logs(ws, names["function"], limit=12),
    lambda lines: any(key in line for line in lines),
    ws.say("m1.waiting_logs"),
    timeout_s=ws.default(local=30, aws=120),
    estimate_s=ws.default(local=1, aws=10),
    on_timeout="return",
)
ws.check(any(key in line for line in logs), "m1.logged_upload", key=key)
print("\n".join(logs))

# %% [markdown]
# ## What you measured
#
# Upload a few more files and compare, for each, when it was uploaded with when the function
# finished (the time stamp of its `REPORT` line), next to how long the function itself ran.

# %%
started = dt.datetime.now(dt.UTC)
uploads = []
for i in range(UPLOADS):
    key = f"measure/file-{i}-{int(time.time() * 1000)}.txt"
    uploads.append({"key": key, "uploaded": pd.Timestamp.now(tz="UTC")})
    ws.client("s3").put_object(Bucket=bucket, Key=key, Body=b"x" * (i + 1))
    time.sleep(0.5)

reports = measure.invocations.wait_for_reports(ws, names["function"], started, UPLOADS)
ws.check(len(reports) >= UPLOADS, "m1.reported", count=UPLOADS)
reports = reports.tail(UPLOADS).reset_index(drop=True)
measured = pd.DataFrame(uploads).join(reports[["timestamp", "duration_ms", "cold"]])
measured["upload_to_done_ms"] = (measured["timestamp"] - measured["uploaded"]).dt.total_seconds() * 1000
ws.check((measured["upload_to_done_ms"] > measured["duration_ms"]).all(), "m1.upload_slower", count=UPLOADS)
views.tables.readable(measured[["key", "upload_to_done_ms", "duration_ms", "cold"]])

# %%
views.latency.upload_figure(measured)

# %%
display(
    Markdown(
        ws.say(
            "m1.summary",
            count=UPLOADS,
            upload_ms=measured["upload_to_done_ms"].median(),
            duration_ms=measured["duration_ms"].median(),
            cold=int(measured["cold"].sum()),
        )
    )
)

# %% [markdown]
# ## Architecture
#
# What this notebook deployed, drawn from the resources as they exist now.

# %%
function_config = ws.client("lambda").get_function_configuration(FunctionName=names["function"])
you, email = ws.say("m1.node_you"), ws.say("m1.node_email")
views.diagrams.diagram(
    [
        (you, ws.say("m1.node_upload")),
        ("S3", bucket),
        ("Lambda", f"{function_config['FunctionName']} ({function_config['Runtime']})"),
        ("SNS", topic_arn.rsplit(":", 1)[-1]),
        (email, EMAIL),
    ],
    [(you, "S3"), ("S3", "Lambda"), ("Lambda", "SNS"), ("SNS", email)],
    ws.say("m1.diagram_title"),
)

# %% [markdown]
# ## Clean up
#
# This removes the bucket (and its files), the function, its role and logs, and the topic. To remove
# everything the workshop created in every module, run `99_cleanup.ipynb`.

# %%
removed = m1.cleanup(ws)
left = m1.leftovers(ws)
ws.check(len(removed) > 0 and left.empty, "m1.cleaned", count=len(removed))
views.tables.readable(removed, decimals=4)
