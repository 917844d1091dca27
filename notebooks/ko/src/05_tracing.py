# %% [markdown]
# # 모듈 5: AWS X-Ray로 요청 추적하기
#
# 평균값은 요청이 느렸다는 *사실*만 알려 줍니다. 시간이 *어디에서* 쓰였는지는 트레이스(trace)를 봐야 알 수 있습니다.
# X-Ray는 요청 하나가 거쳐 가는 모든 서비스를 따라갑니다. API Gateway, Lambda 서비스, 여러분의 함수, 그리고 함수가
# 실행하는 SQL 쿼리까지입니다. 이 모듈에서는 다음을 진행합니다.
#
# 1. API 스테이지와 함수에 추적을 켜고, 함수에 X-Ray SDK를 추가합니다.
# 2. API를 호출하고 트레이스를 가져옵니다.
# 3. **서비스 맵**(누가 누구를, 얼마나 자주, 얼마나 빠르게 호출하는지)과 **트레이스 타임라인**(요청 하나를 세그먼트
#    단위로 펼친 그림으로, 콜드 스타트의 `Initialization`과 SQL 쿼리가 보입니다)을 그립니다.
# 4. 선택 과제로, 짧은 부하 테스트를 추적해 세그먼트별 지연 시간을 비교합니다.
#
# **소요 시간**: 로컬 대상에서 약 3분, AWS에서 약 10분입니다(요청이 끝나고 몇 초가 지나야 트레이스를 검색할
# 수 있습니다).
#
# **AWS 비용**: X-Ray는 기록한 트레이스와 조회한 트레이스의 수에 따라 요금을 매깁니다. 기본 샘플링 규칙은 매초 첫
# 요청과 나머지 요청의 5%만 기록하므로, 이 모듈은 프리 티어 안에서 끝납니다.

# %%
import datetime as dt

import pandas as pd
from IPython.display import Markdown, display

import helpers
from helpers import aws, measure, views
from helpers.modules import m5_tracing as m5

views.tables.price_table(["xray", "lambda", "api_gateway", "rds", "rds_proxy"])

# %% [markdown]
# ## 준비
#
# `helpers.connect()`는 대상(로컬 또는 AWS)을 정하고 출력합니다. `m5.ensure(ws)`는 모듈 2와 3의 리소스(API, 함수,
# 데이터베이스, 보안 암호, RDS Proxy)가 있는지 확인하고, 없는 것은 새로 만듭니다.

# %%
ws = helpers.connect()
db = m5.ensure(ws)
xray = ws.client("xray")
db.describe()

# %% [markdown]
# ## 아키텍처
#
# 실제로 배포된 리소스를 읽어 그린, 추적 대상 경로입니다. Lambda가 함수 곁에서 실행하는 X-Ray 데몬이 UDP로
# 세그먼트를 받아 X-Ray 서비스로 전달합니다. API Gateway와 Lambda는 자기 세그먼트를 X-Ray로 직접 보냅니다.

# %%
m5.architecture_figure(ws, db).show()

# %% [markdown]
# ## 1단계: 추적 켜기
#
# 켜야 할 스위치는 세 개입니다.
#
# - **API Gateway 스테이지 추적**: 스테이지가 샘플링된 요청마다 세그먼트를 기록하고, 트레이스 ID를
#   `X-Amzn-Trace-Id` 헤더에 담아 Lambda로 넘깁니다.
# - **Lambda 활성 추적**(`TracingConfig: Active`): Lambda가 서비스 세그먼트와 함수 세그먼트를 하나씩 기록합니다.
#   함수 세그먼트 안에는 `Initialization`(콜드 스타트일 때만), `Invocation`, `Overhead`가 들어 있습니다. 이
#   세그먼트를 보내려면 함수의 실행 역할에 관리형 정책 `AWSXRayDaemonWriteAccess`가 있어야 합니다.
# - **코드 안의 X-Ray SDK**: `patch_all()`이 boto3와 pymysql을 감싸서 호출 하나하나가 하위 세그먼트가 되게
#   합니다. SDK는 모듈 2의 pymysql처럼 Lambda 계층으로 넣습니다.
#
# 아래가 추적 코드를 넣은 핸들러입니다. 모듈 4에서 최적화한 코드에 몇 줄만 더했습니다. 이 코드를 활성 추적을 켠
# 새 함수 `sas-db-time-traced`로 배포하고, API의 통합이 이 함수를 호출하도록 바꿉니다. 마지막 정리 단계에서
# 원래 함수로 되돌립니다.

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
# ## 2단계: API 호출하기
#
# 추적용 함수는 방금 만든 함수이므로 첫 호출은 콜드 스타트입니다. 평소에는 X-Ray의 샘플링 규칙이 어떤 요청을
# 추적할지 정합니다(기본값은 매초 첫 요청과 나머지의 5%). 여기서는 노트북이 트레이스를 직접 시작합니다. 새 트레이스 ID와
# `Sampled=1`을 담은 `X-Amzn-Trace-Id` 헤더를 보내면 요청이 지나가는 모든 서비스가 이 결정을 그대로 따릅니다. 그래서
# 이번 호출은 모두 추적되고, 각 호출의 트레이스 ID도 미리 알 수 있습니다.
#
# **샘플링 규칙**은 이렇게 동작합니다. 규칙마다 *리저버*(reservoir: 초당 무조건 추적하는 요청 수)와 *고정
# 비율*(fixed rate: 리저버를 넘는 요청 가운데 추가로 추적하는 비율)이 있습니다. X-Ray 기본 규칙은 리저버가 초당
# 1개, 고정 비율이 5 %입니다. 초당 요청이 1개라면 모든 요청이 추적되고, 초당 100개라면 6개 정도가 추적됩니다.
# 서비스, 호스트, 경로, 메서드를 조건으로 우선순위를 붙여 규칙을 직접 추가할 수 있으므로, 드문 경로는 더 많이,
# 요청이 쏟아지는 경로는 더 적게 추적하도록 조정할 수 있습니다. 요청마다 우선순위 순으로 처음 일치하는 규칙이
# 적용됩니다. 샘플링 덕분에 추적 비용은 일정 수준을 넘지 않지만, 그만큼 트레이스는 모든 요청이 아니라 전형적인
# 요청을 보여 준다는 점을 기억하세요.

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
# ## 3단계: 트레이스 가져오기
#
# `GetTraceSummaries`는 지정한 시간 구간의 트레이스 목록을, `BatchGetTraces`는 그 트레이스들의 세그먼트 문서를
# 돌려줍니다. 세그먼트 문서는 JSON이며 ID, 이름, 시작 시각과 종료 시각, 그리고 중첩된 하위 세그먼트로 이루어져
# 있습니다.

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
# ## 트레이스 타임라인
#
# 세그먼트와 하위 세그먼트마다 막대가 하나씩 있고, 부모 아래에 들여 써서 같은 시간 축 위에 놓입니다. 주황색은
# 콜드 스타트(`Initialization`: 런타임 시작, 코드 임포트, 보안 암호 조회, 데이터베이스 연결)이고, 보라색은 SQL
# 쿼리입니다.

# %%
views.traces.timeline_figure(cold, title=ws.say("m5.cold_title", trace_id=cold_trace["Id"])).show()

# %%
warm_trace = by_id.get(trace_ids[-1], traces[-1])
views.traces.timeline_figure(warm_trace, title=ws.say("m5.warm_title", trace_id=warm_trace["Id"])).show()

# %% [markdown]
# ## 서비스 맵
#
# `GetServiceGraph`는 한 시간 구간의 트레이스를 모두 모아 노드(서비스)와 엣지(호출)로 정리하고, 호출 수와 응답 시간을
# 함께 돌려줍니다. 맵의 클라이언트는 API를 호출한 쪽, 곧 이 노트북입니다.
#
# X-Ray 조회에는 언제나 **시간 구간**을 지정합니다. `GetTraceSummaries`는 그 구간의 트레이스를 나열하고,
# `GetServiceGraph`는 그 트레이스를 모두 합쳐 맵 하나를 만듭니다. 그래서 무엇이 보일지는 구간이 결정합니다. 너무
# 넓으면 같은 서비스에 들어온 다른 요청이 섞여 들어오고(맵의 호출 수와 평균에 함께 잡힙니다), 너무 좁으면 보고
# 싶은 요청이 잘려 나갑니다. AWS에서는 요청이 끝나고 몇 초가 지나야 트레이스를 검색할 수 있으므로, "지금"에서 끝나는
# 구간은 마지막 요청들을 놓칠 수 있습니다. X-Ray는 트레이스를 30일 동안 보관합니다. 여기서는 위에서 추적한 호출들이
# 자기 세그먼트에 남긴 시각으로 구간을 잡고, 앞뒤로 1초씩 여유를 둡니다.

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
# ## 선택 과제: 짧은 부하 테스트 추적하기
#
# 요청 여러 개에 걸쳐 세그먼트별 소요 시간을 모아 보면 어느 구간이 들쭉날쭉한지 드러납니다. 기본 샘플링
# 규칙으로는 초당 1개 정도(여기에 나머지의 5%)가 추적되므로, `DURATION_S`초 동안 테스트하면 트레이스가 수십 개
# 남습니다.

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
# ## 측정 결과

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
# ## 정리
#
# API가 다시 모듈 4의 최적화된(추적하지 않는) 함수를 호출하도록 되돌리고, 스테이지 추적을 끈 다음, 추적용 함수를
# 삭제합니다. X-Ray 계층 버전은 비용이 들지 않으므로 남겨 둡니다. 워크숍에서 만든 리소스 전체는
# [`99_cleanup.ipynb`](99_cleanup.ipynb)에서 삭제합니다.

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
