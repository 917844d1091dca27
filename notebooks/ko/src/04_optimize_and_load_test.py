# %% [markdown]
# # 모듈 4: 최적화와 부하 테스트
#
# 모듈 3에서 API는 Secrets Manager에서 데이터베이스 암호를 읽고, RDS Proxy를 거쳐 MySQL에 접속합니다. 동작은
# 하지만, 호출할 때마다 보안 암호를 새로 가져오고 연결도 새로 엽니다. 이 모듈에서는 API에 트래픽을 갑자기
# 몰아 보내고(버스트), Lambda가 어떻게 확장되는지 지켜봅니다.
#
# 1. **최적화 전 함수에 버스트 보내기**: Lambda는 동시성 확장 속도가 허용하는 만큼 빠르게 실행 환경을 늘리고,
#    아직 자리를 내주지 못한 호출은 스로틀링합니다. 확장이 끝나면 스로틀링도 멈춥니다.
# 2. **최적화**: 보안 암호 조회와 데이터베이스 연결을 핸들러 밖으로 옮긴 뒤, 같은 버스트를 다시 보냅니다.
#    동시성은 도착률 x 실행 시간이므로, 더 빠른 함수는 훨씬 적은 실행 환경으로 같은 트래픽을 처리합니다.
# 3. **예약된 동시성**: 함수에 상한을 걸고, 상한이 감당하지 못하는 호출이 스로틀링되는 것을 확인합니다.
# 4. **프로비저닝된 동시성**: 실행 환경을 미리 초기화해 두고, 그 덕분에 사라지는 콜드 스타트를 셉니다.
# 5. 측정한 최대치를 바탕으로 **용량과 비용을 계획**합니다.
#
# **소요 시간**: 로컬 대상에서 약 3분, AWS에서 약 25분입니다(버스트가 더 길고, CloudWatch가 지표를 게시하기까지
# 몇 분이 걸리며, 프로비저닝된 동시성이 준비되는 데도 몇 분이 걸립니다).
#
# **AWS 비용**: 다음 셀에 이 모듈이 켜 두는 리소스와 시간당 정가가 나옵니다. 프로비저닝된 동시성은 설정되어 있는
# 동안 계속 요금이 나오므로, 마지막의 정리 셀을 꼭 실행하세요.

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
# ## 준비
#
# `helpers.connect()`는 대상(이 머신의 pocketcloud 또는 여러분의 AWS 계정)을 정하고 출력합니다.
# `m4.ensure(ws)`는 모듈 2와 3에서 만든 것(VPC, 데이터베이스, API, 보안 암호, RDS Proxy)이 있는지 확인하고, 없는
# 것은 새로 만듭니다. 그래서 이 모듈부터 바로 시작해도 됩니다.

# %%
ws = helpers.connect()
db = m4.ensure(ws)
db.describe()

# %% [markdown]
# ## 아키텍처
#
# 이 모듈이 측정하는 리소스를 실제 배포된 상태에서 읽어 그렸습니다. 부하 생성기(이 머신에서 실행하는 Locust)가
# API Gateway 스테이지를 호출하면 스테이지가 함수를 호출하고, 함수는 보안 암호를 읽은 뒤 RDS Proxy를 거쳐 MySQL에
# 쿼리를 보냅니다.

# %%
m4.architecture_figure(ws, db).show()

# %% [markdown]
# ## 1단계: 최적화 전 함수에 버스트 보내기
#
# 동시성은 함수가 *동시에* 처리하는 요청 수입니다. 실행 환경 하나는 한 번에 요청 하나만 처리하므로, 동시성은 곧
# 바쁘게 일하는 실행 환경의 수이기도 합니다. 동시성은 두 숫자로 정해집니다.
#
# > 동시성 = 초당 요청 수 x 요청 하나의 처리 시간(초)
#
# 요청 하나에 50 ms가 걸리고 초당 100개가 들어오면 실행 환경 5개가 계속 바쁩니다. 함수가 느려지면 같은 트래픽에도
# 실행 환경이 더 많이 필요합니다.
#
# Lambda는 요청이 들어오는 대로 실행 환경을 만들지만, 무한정 만들지는 않습니다. **동시성 확장 속도**(scaling
# rate) 때문에 함수마다 10초에 최대 1,000개까지만 실행 환경을 추가할 수 있고, 이 한도는 계속해서 조금씩 다시
# 채워집니다. 즉, 함수는 0개에서 단번에 1,000개까지 늘어난 다음, 초마다 100개 정도씩 더 늘어날 수 있습니다. 이보다
# 실행 환경이 하나라도 더 필요한 요청은 **스로틀링**됩니다. Lambda는 429 `TooManyRequestsException`으로 응답하고,
# API Gateway는 클라이언트에 오류를 돌려줍니다. pocketcloud는 이 속도를 줄여서, 노트북 PC에서도 수천 개가 아니라
# 수십 개의 실행 환경으로 같은 모양을 보여 줍니다.
#
# 먼저 최적화 전 핸들러를 배포합니다. 코드를 읽어 보세요. 보안 암호 조회와 데이터베이스 연결이 `lambda_handler`
# 안에 있으므로, 호출할 때마다 두 비용을 모두 치릅니다.

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
# ### 버스트
#
# [Locust](https://locust.io)는 `OPENING`개의 호출을 같은 순간에 보내며 버스트를 시작하고(푸시 알림이나 할인 행사
# 오픈처럼 사용자가 한꺼번에 몰려오는 상황), 그 뒤로 초당 `RATE`개의 호출을 고른 간격으로 보냅니다. 트래픽이 전혀
# 없다가 갑자기 최대치로 뛰고, 미리 준비된 웜 실행 환경도 없는 상황입니다. 동시에 도착한 호출은 각자 실행 환경이
# 하나씩 필요하므로, 시작 순간의 호출만으로도 새 실행 환경 `OPENING`개가 한꺼번에 필요합니다. 각 호출은 앞선 응답과
# 상관없이 정해진 시각에 나가므로, Lambda가 확장하는 동안에도 도착률은 변하지 않습니다. (응답을 받을 때마다 잠시
# 쉬는 사용자로 부하를 주는 테스트는 그렇지 않습니다. 사용자들의 호출 시점이 점점 맞아떨어져 뭉텅이로 도착하고, 평균
# 도착률이 얼마든 한 뭉텅이에는 호출 수만큼의 실행 환경이 필요해집니다.)
#
# `SCALING_RATE`는 이 대상에서 함수가 10초마다 추가할 수 있는 실행 환경의 수입니다. CloudWatch는 1분에
# 값 하나만 남기는데, 모듈 3이 바로 이 함수를 호출했습니다(그 워밍업도 스로틀링되었습니다). 그래서 첫 버스트는
# 새 1분 구간이 시작될 때까지 기다립니다. 이렇게 하면 두 버스트가 끝난 뒤 읽는 합계에 그 이전의 호출이 섞이지 않습니다.

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
# 그래프를 위에서부터 읽어 보세요. 첫 호출이 올 때는 준비된 실행 환경이 없고, 새 실행 환경은 먼저 콜드 스타트를
# 거쳐야 하므로, 그동안 도착하는 호출마다 실행 환경이 하나씩 더 필요합니다. 시작된 실행 환경 수(가운데 패널,
# 실선)는 확장 속도가 한 번에 허용하는 한도(파선) 쪽으로 뛰어오르고, 한도를 넘는 호출은 스로틀링됩니다(빨간색.
# 회색은 그 밖의 이유로 실패한 호출로, 예를 들어 바쁜 노트북 PC에서 콜드 스타트가 시간 초과된 경우입니다). 파선
# 한도는 다시 채워지면서 계속 올라가지만, 첫 실행 환경들이 준비되면 각 환경이 호출을 연달아 처리합니다. 그러면
# 스로틀링이 멈추고, 동시에 처리 중인 호출 수(점선)는 도착률 x 실행 시간 정도로, 시작된 실행 환경 수의 일부로
# 떨어집니다. 이번 실행이 스로틀링되었는지는 콜드 스타트가 얼마나 걸렸는지에 달려 있으며, 그래프 아래 문장이 측정
# 결과를 알려 줍니다.

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
# ### 부하 생성기가 제대로 따라왔을까?
#
# 부하 테스트가 시스템을 제대로 측정하는 것은 생성기가 요청받은 만큼 실제로 보내고 있을 때뿐입니다. Locust
# 프로세스 하나는 CPU 코어 하나에서 돌아가고(Python은 한 번에 스레드 하나만 실행합니다), 느린 응답을 기다리고
# 있는 사용자는 자기 다음 호출 차례를 그냥 흘려보냅니다. 사용자가 너무 적거나 생성기의 코어가 포화되면 `RATE`보다
# 적은 호출이 나가고, 테스트는 여러분이 생각하는 것보다 작은 부하를 아무 경고 없이 측정하게 됩니다. 그래서 두
# 가지를 확인하세요. 초당 보낸 호출 수가 요청한 도착률과 맞는지, 그리고 생성기의 코어 사용률이 100 %에 붙어 있지
# 않은지입니다.
#
# 코어 하나로 부족하면 Locust를 분산 모드로 실행합니다. 통계만 모으는 마스터 프로세스 하나와 실제로 호출을
# 보내는 워커 프로세스 여러 개(`locust --master`, `locust --worker`)를 코어당 하나 정도씩, 한 머신이나 여러 머신에
# 띄웁니다. AWS에서는 생성기를 API와 같은 리전에서(EC2 인스턴스나 컨테이너로) 실행하세요. 그래야 여러분의 인터넷
# 연결이 아니라 API를 측정합니다. 여기서는 Locust가 이 머신의 코어를 pocketcloud, Lambda 실행 환경과 나눠 쓰는데,
# 로컬의 도착률이 작은 이유 중 하나가 이것입니다.

# %%
sent_per_s = len(run_v2.load.calls) / DURATION_S
ws.check(
    sent_per_s >= 0.8 * RATE,
    "m4.generator_kept_up",
    sent=sent_per_s,
    rate=RATE,
)

# %% [markdown]
# ### 동시성 = 도착률 x 실행 시간
#
# 확장이 끝난 뒤 동시에 처리 중인 호출 수는 평균적으로 모델, 곧 도착률 x 평균 `Duration`(REPORT 줄에서 읽고 호출 수로
# 가중 평균한 값)과 맞아야 합니다. 호출마다 실행 시간이 다르므로 최대치는 이 평균보다 높게 나옵니다. 호출이 고른
# 간격으로 들어오면 최대치는 도착률 x 가장 느린 실행 시간(99번째 백분위수)까지 올라갈 수 있고, 한 호출이 끝나는
# 순간 다른 호출이 도착하는 경우를 위해 하나를 더합니다. 이 범위가 체크포인트의 허용 오차입니다. 측정한 최대치는
# 평균을 올림한 값에서 1을 뺀 값과, 앞에서 말한 상한 사이에 있어야 합니다.


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
# ## 2단계: 최적화, 초기화는 핸들러 밖에서
#
# 모듈 최상위에 있는 코드는 **실행 환경마다 한 번**, 콜드 스타트 중에 실행됩니다. 그렇게 만든 것은 그 실행 환경이
# 처리하는 모든 호출이 다시 씁니다. 그래서 보안 암호와 데이터베이스 연결을 핸들러 밖으로 옮기고, 핸들러는 연결이
# 아직 살아 있는지만 확인합니다(`ping(reconnect=True)`는 실행 환경이 쉬는 동안 프록시나 데이터베이스가 연결을
# 끊었으면 다시 엽니다).

# %%
views.tables.show_code("db_time_v3")

# %% [markdown]
# ### 호출 하나: 최적화 전과 후
#
# Lambda는 호출마다 `Duration`(그리고 새 실행 환경을 시작한 호출이면 `Init Duration`)이 담긴 `REPORT` 줄을
# 남깁니다. 두 버전을 각각 `CALLS`번 연달아 호출하고, 웜 호출끼리 비교합니다.

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
# ### 최적화한 함수에 같은 버스트 보내기
#
# 도착률도, 지속 시간도 같고, 이번에도 웜 실행 환경 하나 없이 시작합니다.

# %%
run_v3 = m4.run_burst(ws, db, ws.say("m4.run_v3"), rate=RATE, duration_s=DURATION_S, opening=OPENING)
end_bursts = dt.datetime.now(dt.UTC)
runs = {run_v2.name: run_v2, run_v3.name: run_v3}
views.loadtests.burst_table(runs)

# %%
views.loadtests.burst_figure(runs, ws.say("m4.same_burst_title", rate=RATE)).show()

# %% [markdown]
# 두 버스트 모두 콜드 상태에서 시작하고, 최적화가 콜드 스타트를 짧게 만들지는 않습니다(보안 암호와 연결은 이제
# 콜드 스타트에서 처리합니다). 그래서 최적화된 함수도 첫 실행 환경들이 시작되는 동안 같은 한도에 부딪히며, 그때
# 스로틀링되는 호출 수는 콜드 스타트에 따라 실행마다 달라집니다. 확실히 달라진 것은 웜 상태가 된 뒤 함수에 필요한
# 실행 환경의 수입니다.

# %%
display(Markdown(m4.ramp_reading(run_v3)))
ws.check(run_v3.model_holds, "m4.model_holds_v3")
ws.check(
    run_v3.model_concurrency < run_v2.model_concurrency / 2 and run_v3.steady_peak <= run_v2.steady_peak,
    "m4.fewer_environments",
)

# %% [markdown]
# ### CloudWatch가 센 것
#
# Lambda는 `Throttles`(거부된 호출), `Invocations`, `Errors`를 분 단위로 게시합니다. 두 버스트는 몇 초짜리라서
# CloudWatch에서는 합계만 읽습니다. 부하 생성기가 거부당했다고 본 호출은 모두 Lambda가 센 스로틀링이어야 하고,
# 그 밖의 실패는 모두 실패한 호출(`Errors`)이어야 합니다. 두 버스트 사이에 하나씩 보낸 호출도 같은 분에 들어가므로
# 함께 셉니다.

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
# ## 3단계: 예약된 동시성으로 함수에 상한 걸기
#
# 동시성을 *예약*하면 계정 할당량 중 일부를 한 함수 몫으로 떼어 두는 동시에, 그 함수의 동시성 상한도 그 값으로
# 정해집니다. 상한을 넘는 호출은 Lambda가 아무리 빨리 확장할 수 있어도 스로틀링됩니다. 예약을 하고 나서도 계정의
# 나머지 함수들을 위해 예약되지 않은 동시성이 최소한(AWS에서는 100) 남아 있어야 합니다. 새 계정은 할당량이 너무
# 작아 예약 자체가 불가능할 수도 있습니다. 그래서 이 단계는 먼저 계정 설정을 읽고, 들어갈 수 있는 크기로 상한을
# 정하거나, 그럴 수 없으면 이유를 알려 줍니다.
#
# 상한의 효과가 드러나도록, 각 호출은 데이터베이스 쿼리를 `HOLD_S`초 동안 붙잡고 있습니다. 그러면 초당
# `CAP_RATE`개의 호출에는 실행 환경이 `CAP_RATE x HOLD_S`개 필요합니다. 상한이 그보다 낮으면 호출 중 대략
# `1 - 상한 / (도착률 x 실행 시간)`만큼이 스로틀링됩니다.

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
# ## 4단계: 프로비저닝된 동시성으로 콜드 스타트 없애기
#
# 콜드 스타트(새 실행 환경에서 런타임을 시작하고, 코드를 임포트하고, 초기화 코드를 실행하는 과정)는 쉬고 있는
# 실행 환경이 하나도 없을 때마다 일어납니다. 이제 초기화 단계가 하는 일이 늘었으므로(보안 암호와 연결) 콜드
# 스타트 비용도 커졌습니다. **프로비저닝된 동시성**은 게시된 버전이나 별칭에 대해 정해진 수의 실행 환경을 미리
# 초기화해 둡니다. 그 버전이나 별칭으로 들어온 호출은 초기화를 건너뜁니다. 프로비저닝된 동시성도 예약과 같은
# 할당량에서 나오므로, 여기서도 먼저 계정 설정을 읽습니다.
#
# 최적화한 코드를 버전으로 게시하고, 별칭 `live`가 그 버전을 가리키게 한 뒤, 별칭에 실행 환경 `PROVISIONED`개를
# 프로비저닝합니다. 그런 다음 방금 설정을 바꾼 함수(모든 호출에 새 실행 환경이 필요합니다)와 별칭에 각각 동시
# 호출 버스트를 보내 비교합니다. 성공한 호출만 셉니다.

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
# ## 5단계: 측정값으로 용량과 비용 계획하기
#
# 평균이 아니라 측정한 최대치에 맞춰 계획하세요. 버스트에서 동시에 처리 중인 호출의 최대치가
# 도착률 x 실행 시간보다 얼마나 높은지 확인했습니다. 계획은 예상 트래픽(일일 사용자 중 최대 시점에 접속해 있는
# 비율과, 그 사용자가 분당 보내는 요청 수), 측정한 `Duration`, 측정한 최대/평균 비율, 그리고 여러분이 정하는
# 여유분을 받아서, 한 달 비용을 여러분 리전의 정가로 계산합니다. 정가는 AWS에서는 AWS Price List API에서,
# 로컬 대상에서는 `helpers/measure/prices.py`에 날짜와 함께 들어 있는 스냅샷에서 가져옵니다(한국어판은 로컬에서
# 서울 리전 요금을 씁니다). 그곳에 가격이 없는 항목은 비워 두며, 이때 한 달 비용은 최솟값입니다. 모든 가정은
# 바로 아래 표에 나옵니다.

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
# ## 측정 결과
#
# 두 버스트를 나란히 놓고 최적화의 효과를 봅니다.

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
# ## 정리
#
# 프로비저닝된 동시성은 설정되어 있는 시간만큼 요금이 나옵니다. 이 셀은 프로비저닝된 동시성과 별칭, 예약된
# 동시성 상한을 모두 없앱니다. 함수에는 최적화한 코드가 그대로 남고, 모듈 5가 그 위에서 진행됩니다. 워크숍에서
# 만든 리소스 전체는 [`99_cleanup.ipynb`](99_cleanup.ipynb)에서 삭제합니다.

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
