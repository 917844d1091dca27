# %% [markdown]
# # 모듈 1: 첫 번째 Lambda 함수
#
# 작은 이벤트 기반 파이프라인을 만듭니다. S3 버킷에 파일이 올라오면 S3가 Lambda 함수를 호출하고, 함수는 SNS를 통해
# 이메일 주소로 알림을 보냅니다.
#
# ```
# 나 --업로드--> S3 버킷 --이벤트--> Lambda 함수 --게시--> SNS 주제 --이메일--> 받은편지함
# ```
#
# **무엇을 측정하나요?** 파일을 올린 뒤 알림이 게시되기까지 걸리는 시간과, 함수 자체가 실행된 시간입니다. 함수의
# 실행 시간은 Lambda가 호출마다 남기는 `REPORT` 줄에서 읽습니다.
#
# **소요 시간**: 로컬 대상에서 약 2분, AWS에서 약 10분.
#
# **AWS 비용** (us-east-1 정가 기준이며, 이 모듈에서 쓰는 양은 모두 프리 티어 안에 들어갑니다):
#
# | 리소스 | 요금 |
# |---|---|
# | S3 스토리지 | GB-월당 USD 0.023 (여기서는 몇 바이트뿐) |
# | Lambda | 요청 100만 건당 USD 0.20 + GB-초당 USD 0.0000166667 |
# | SNS 이메일 | 매월 처음 1,000건 무료, 그 뒤로 100,000건당 USD 2.00 |
#
# 서울 리전(ap-northeast-2)의 Lambda 요금도 이와 같습니다(워크숍에 포함된 요금 스냅샷 기준).
#
# 시간 단위로 과금되는 리소스는 없지만, 마지막의 정리 셀은 꼭 실행하세요. 워크숍이 만든 모든 것을 지우는
# [`99_cleanup.ipynb`](99_cleanup.ipynb)를 실행해도 됩니다.

# %% [markdown]
# ## 준비
#
# 모든 것이 어디에서 실행될지는 `helpers.connect()`가 정합니다. AWS 계정을 명시적으로 고르지 않았다면
# (`WORKSHOP_TARGET=aws` 또는 `helpers.connect("aws")`) 이 컴퓨터에서 동작하는 AWS인 **pocketcloud**를 씁니다.
# AWS 자격 증명이 설정되어 있다는 것만으로는 AWS로 가지 않습니다. 셀은 어느 쪽을 골랐는지 출력하고, AWS라면 요금이
# 청구될 계정과 리전도 보여 줍니다.

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
# 바꿔도 되는 매개변수입니다. **AWS에서는 `EMAIL`에 본인 이메일 주소를 넣으세요.** SNS는 그 주소로 확인 메일을
# 먼저 보내고, 메일의 링크를 눌러야 그다음부터 알림을 전달합니다. 예시 주소는 로컬 대상에서만 쓸 수 있으며, 로컬에서는
# 메일이 pocketcloud의 메일함에 쌓입니다.

# %%
EMAIL = "learner@example.com"  # on AWS: your own address
CONFIRM_WAIT_S = ws.default(local=30, aws=300)  # how long step 1 waits for you to click the link
UPLOADS = 5  # files uploaded in the measurement step

# %% [markdown]
# ## 1단계: 주제와 이메일 구독
#
# SNS **주제**(topic)는 이름이 붙은 채널입니다. 게시자가 주제에 메시지를 보내면 SNS가 모든 **구독**에 메시지를
# 한 부씩 전달합니다. 이메일 구독은 *확인 대기* 상태로 시작합니다. 그래서 원하지도 않은 메일을 받도록 다른 사람을
# 마음대로 등록할 수 없습니다.

# %%
topic_arn = aws.events.ensure_topic(ws, names["topic"])
aws.events.subscribe_email(ws, topic_arn, EMAIL)
views.tables.readable(
    pd.DataFrame(ws.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"])[
        ["Protocol", "Endpoint", "SubscriptionArn"]
    ]
)

# %% [markdown]
# 구독은 확인되기 전까지 `PendingConfirmation`으로 표시됩니다. *AWS Notification - Subscription Confirmation*
# 메일을 열고 링크를 눌러 구독을 확인하세요. 다음 셀은 최대 `CONFIRM_WAIT_S`초 동안 확인을 기다립니다. 로컬
# 대상에서는 헬퍼가 pocketcloud 메일함에서 링크를 열어 주는데, 여러분이 직접 누르는 것과 똑같이 동작합니다. 제시간에
# 아무도 확인하지 않으면 모듈은 이메일 없이 진행하고, 이메일을 확인하는 단계에서 그 사실을 알려 줍니다.

# %%
confirmed = aws.events.wait_for_confirmation(ws, topic_arn, EMAIL, timeout_s=CONFIRM_WAIT_S)
confirmed

# %% [markdown]
# ## 2단계: 버킷
#
# 버킷 이름은 모든 AWS 계정을 통틀어 하나뿐이어야 합니다. 그래서 이름에 계정 ID와 리전을 넣습니다.

# %%
bucket = aws.events.ensure_bucket(ws, names["bucket"])
bucket

# %% [markdown]
# ## 3단계: 함수의 역할
#
# Lambda 함수는 **실행 역할**의 권한으로 동작합니다. 이 역할이 허용하는 것은 두 가지뿐입니다. 함수가 자기 로그를
# 쓰는 것(AWS 관리형 정책 `AWSLambdaBasicExecutionRole`)과 *이* 주제에 게시하는 것입니다.
#
# 이 역할에는 워크숍의 **권한 경계**(`sas-workshop-boundary`)도 붙어 있습니다. 어떤 정책을 받더라도 워크숍 역할이
# 할 수 있는 일의 상한입니다. 역할은 정책과 경계가 모두 허용하는 일만 할 수 있습니다.

# %%
role_arn = aws.iam.ensure_lambda_role(
    ws,
    names["role"],
    inline={"publish-uploads": aws.iam.policy(aws.iam.allow("sns:Publish", topic_arn))},
)
aws.iam.role_policies(ws, names["role"])

# %% [markdown]
# ## 4단계: 함수
#
# 여러분이 배포할 코드입니다. Lambda는 이벤트마다 `lambda_handler(event, context)`를 한 번씩 호출합니다. SNS
# 클라이언트는 핸들러 밖에서 만들어 두었으므로, 웜 호출은 이미 만든 클라이언트를 다시 씁니다.

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
# 먼저 직접 호출해 봅시다. S3가 보내는 것과 같은 모양의 이벤트로 함수를 호출합니다. 결과에는 함수의 응답과 함께
# `REPORT` 줄에서 읽은 수치가 나옵니다.

# %%
sample_event = {"Records": [{"s3": {"bucket": {"name": bucket}, "object": {"key": "hand-made+test.txt", "size": 3}}}]}
first = measure.invocations.invoke(ws, names["function"], sample_event)
ws.check(
    first.status == 200 and first.error is None and first.payload == {"notified": 1},
    "m1.handled_event",
)
first

# %% [markdown]
# ## 5단계: 업로드할 때마다 S3가 함수를 호출
#
# 두 가지가 필요합니다. 함수의 리소스 기반 정책이 S3의 함수 호출을 허용해야 하고, 버킷에는 `ObjectCreated`
# 이벤트를 함수로 보내는 알림 구성이 있어야 합니다.

# %%
aws.events.notify_function_on_upload(ws, bucket, names["function"])
ws.client("s3").get_bucket_notification_configuration(Bucket=bucket)["LambdaFunctionConfigurations"]

# %% [markdown]
# ## 6단계: 파일을 올리고 이메일 받기
#
# S3는 함수를 *비동기*로 호출합니다. 업로드는 바로 끝나고, 함수는 그 직후에 실행됩니다. AWS에서는 메일이 여러분의
# 받은편지함에 도착합니다. 헬퍼는 SNS가 전송 완료로 집계했는지를 보고 판단하는데, 이 집계가 보이기까지 몇 분 걸릴 수
# 있습니다. 로컬에서는 메일이 pocketcloud 메일함에 도착합니다. SNS는 확인된 구독에만 메일을 보내므로, 1단계에서
# 링크를 누르지 않았다면 확인할 메일이 없습니다.

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
# 함수의 로그에는 호출마다 `START` 줄, 핸들러가 출력한 내용, `END`, 그리고 실행 시간과 메모리 사용량이 담긴
# `REPORT` 줄이 차례로 남습니다.

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
# ## 측정 결과
#
# 파일을 몇 개 더 올리고, 파일마다 업로드한 시각과 함수가 끝난 시각(`REPORT` 줄의 타임스탬프) 사이의 시간을
# 함수 자체의 실행 시간과 나란히 비교합니다.

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
# ## 아키텍처
#
# 이 노트북이 배포한 것을 지금 존재하는 리소스에서 읽어 그린 그림입니다.

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
# ## 정리
#
# 버킷(과 그 안의 파일), 함수, 함수의 역할과 로그, 주제를 지웁니다. 모든 모듈에서 워크숍이 만든 것을 한꺼번에
# 지우려면 [`99_cleanup.ipynb`](99_cleanup.ipynb)를 실행하세요.

# %%
removed = m1.cleanup(ws)
left = m1.leftovers(ws)
ws.check(len(removed) > 0 and left.empty, "m1.cleaned", count=len(removed))
views.tables.readable(removed, decimals=4)
