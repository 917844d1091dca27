# %% [markdown]
# # 모듈 3: 더 안전하고 가벼운 데이터베이스 접근
#
# 모듈 2의 함수는 배포할 때 환경 변수에 복사해 둔 데이터베이스 암호를 읽었고, 데이터베이스의 마스터 사용자로
# 로그인했습니다. 함수 구성을 읽을 수 있는 사람은 누구나 암호를 볼 수 있고, 함수의 실행 환경은 저마다 자기 연결을
# 따로 엽니다. 이 모듈에서 두 문제를 모두 고칩니다.
#
# 1. **Secrets Manager**가 자격 증명을 보관하고, 함수는 시작할 때 그것을 읽습니다. 함수의 IAM 역할은 **그 보안
#    암호 하나만** 읽을 수 있습니다.
# 2. API는 마스터 사용자가 아니라, 읽기만 할 수 있는 **전용 데이터베이스 사용자**로 로그인합니다.
# 3. **RDS Proxy**가 함수들과 MySQL 사이에 서서, 적은 수의 데이터베이스 연결을 풀로 묶어 모든 함수가 나눠 쓰게
#    합니다.
#
# 그다음 프록시가 왜 중요한지 **측정**합니다. 동시에 실행되는 많은 호출이 데이터베이스에 직접 연결하면 데이터베이스의
# 연결 한도에 부딪히지만, 같은 호출이 프록시를 거치면 그렇지 않습니다.
#
# **소요 시간**: 로컬 대상에서 약 3분, AWS에서 약 20분(프록시를 만드는 데 몇 분 걸립니다).
#
# **AWS 비용**: 이 모듈이 추가하는 리소스의 정가입니다(RDS 인스턴스는 모듈 2에서 만든 것입니다). 표는 요금을
# 리전에 맞춰 보여 줍니다. AWS에서는 여러분 세션의 리전, 로컬 대상의 한국어판에서는 서울(ap-northeast-2)
# 요금입니다.

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
# ## 준비
#
# `helpers.connect()`가 대상(이 컴퓨터의 pocketcloud 또는 여러분의 AWS 계정)을 고르고 출력합니다.
# `m3.module2(ws)`는 모듈 2의 VPC, 데이터베이스, 함수, API가 있는지 확인하고(이 모듈부터 시작했다면 새로 만들고)
# 그 이름들을 돌려줍니다.

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
# ## 아키텍처
#
# 지금 배포되어 있는 것을 대상에서 읽어 그립니다. 모듈 2의 API, 함수, 데이터베이스이며, 함수는 아직 MySQL에 직접
# 연결합니다. 그림 제목에는 이 모듈이 추가할 두 가지가 적혀 있습니다. 함수가 읽을 앱 보안 암호, 그리고 MySQL과의
# 연결을 쥐고 있을 RDS Proxy입니다. 모든 것이 갖춰지는 마지막에 이 그림을 한 번 더 그립니다.

# %%
m3.architecture_figure(ws, m2).show()

# %% [markdown]
# 7단계 측정에 쓰는 매개변수입니다. `USER_LIMIT`는 애플리케이션 데이터베이스 사용자가 동시에 가질 수 있는 연결
# 수의 상한입니다(MySQL의 `MAX_USER_CONNECTIONS`). 작은 데이터베이스의 `max_connections`를 흉내 내는 값으로,
# 호출 수십 개만으로 효과가 드러나게 해 줍니다. `INVOCATIONS`는 동시에 실행하는 호출 수이고, 각 호출은 `HOLD_S`초
# 동안 연결을 붙잡고 있습니다.

# %%
USER_LIMIT = m3.default_user_limit(ws)
INVOCATIONS = ws.default(local=24, aws=60)
HOLD_S = ws.default(local=1.5, aws=2.0)

# %% [markdown]
# ## 1단계: Secrets Manager에 자격 증명 보관
#
# 애플리케이션 데이터베이스 사용자를 위한 보안 암호입니다. RDS가 데이터베이스 자격 증명에 쓰는 JSON 형식(`engine`,
# `host`, `port`, `username`, `password`, `dbname`)을 따릅니다. 암호는 Secrets Manager가 생성하므로 아무도 직접
# 입력하지 않고, 어떤 코드나 노트북에도 나타나지 않습니다. 마스터 사용자의 자격 증명은 모듈 2에서 이미 같은 방식으로
# 저장했습니다.

# %%
app_secret_arn = m3.ensure_app_secret(ws, m2)
value = aws.secrets.read_secret(ws, app_secret_arn)
{key: ("*" * 8 if key == "password" else val) for key, val in value.items()}

# %%
ws.check({"engine", "host", "port", "username", "password", "dbname"} <= set(value), "m3.rds_format")

# %% [markdown]
# ## 2단계: Secrets Manager로 가는 프라이빗 경로
#
# 프라이빗 서브넷의 함수에는 인터넷으로 나가는 경로가 없는데, Secrets Manager는 인터넷 쪽에 열려 있는 AWS
# 엔드포인트입니다. **인터페이스 VPC 엔드포인트**는 서브넷 안에 Secrets Manager의 프라이빗 주소를 만들어 줍니다.
# us-east-1 기준으로 가용 영역당 시간당 약 USD 0.01이므로 두 개면 한 달에 약 USD 15이고, 서울에서는 가용 영역당
# 시간당 USD 0.013입니다. 대안인 NAT 게이트웨이는 더 비쌉니다(us-east-1에서 시간당 약 USD 0.045에 데이터 요금
# 별도). 엔드포인트에는 함수의 보안 그룹에서 오는 HTTPS를 허용하는 자체 보안 그룹이 붙습니다. 보안 그룹은 규칙에
# 적지 않은 것을 하나도 받아들이지 않으므로, 이 규칙이 없으면 VPC에서 보안 암호를 읽을 때마다 타임아웃이 날 때까지
# 기다리게 됩니다. 아래에서 VPC 안의 함수를 실행하는 모든 단계가 이 경로를 쓰기 때문에 이 단계를 가장 먼저 하고, 셀은
# 엔드포인트가 `available`이 될 때까지 기다립니다. pocketcloud도 이 모든 규칙을 AWS와 똑같이 적용합니다.

# %%
endpoint_id = aws.network.ensure_secrets_endpoint(ws, m2.vpc_id, m2.subnet_ids, m2.endpoint_security_group_ids)
endpoint = ws.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
{k: endpoint.get(k) for k in ("VpcEndpointId", "ServiceName", "VpcEndpointType", "State", "PrivateDnsEnabled")}

# %% [markdown]
# ## 3단계: 애플리케이션 전용 데이터베이스 사용자
#
# 데이터베이스는 프라이빗 서브넷에 있어서 VPC 안에서만 닿을 수 있습니다. 그래서 한 번만 쓰고 버리는 작은 함수가
# 마스터 사용자로 로그인해 `app` 사용자를 만듭니다. 이 함수에는 전용 역할이 있고, 마스터 보안 암호를 읽을 수 있는
# 역할은 이것 하나뿐입니다. `app` 사용자는 워크숍 데이터베이스를 읽을 수만 있고, 연결은 최대 `USER_LIMIT`개까지만
# 가질 수 있습니다. 사용자 이름과 암호는 SQL 문자열에 끼워 넣지 않고 쿼리 매개변수로 MySQL에 넘깁니다.

# %%
views.tables.show_code("db_setup")

# %%
app_user = m3.ensure_app_user(ws, m2, app_secret_arn, USER_LIMIT)
app_user

# %% [markdown]
# 믿더라도 확인은 해야겠지요. 두 번째 일회용 함수가 **app 사용자로** 로그인해 이 사용자에게 어떤 권한이 있는지
# MySQL에 묻고(`SHOW GRANTS`), 테이블을 하나 만들어 봅니다. 연결 상한이 어떤 효과를 내는지는 7단계에서 봅니다.

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
# ## 4단계: 함수에 최소 권한만 부여
#
# 함수에 필요한 것은 보안 암호 하나를 읽는 것뿐이므로, 역할에도 정확히 그 권한만 줍니다. 그 보안 암호의 ARN에 대한
# `secretsmanager:GetSecretValue`입니다. 많은 튜토리얼에서 보이는 지름길, 곧 AWS 관리형 정책
# `SecretsManagerReadWrite`를 붙이는 방법은 함수가 계정의 모든 보안 암호를 읽는 것은 물론 **변경까지** 할 수 있게
# 만듭니다. 그러면 버그 하나나, 악성 코드가 주입된 의존성 하나가 마스터 암호를 읽어 갈 수 있습니다. 이렇게 하지
# 마세요.

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
# ## 5단계: RDS Proxy
#
# 프록시는 같은 보안 암호를 읽을 수 있는 자체 IAM 역할을 받습니다. 클라이언트가 보낸 암호를 이 보안 암호로 확인하고,
# 같은 자격 증명으로 MySQL에 로그인합니다. 프록시의 연결 풀은 인스턴스 `max_connections`의
# `MaxConnectionsPercent`만큼까지만 쓸 수 있습니다. 여기서는 풀이 app 사용자의 한도 안에 머물도록 이 비율을
# 정합니다. AWS에서는 프록시를 만드는 데 몇 분 걸립니다.

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
# ## 6단계: 함수가 보안 암호를 읽고 프록시를 거쳐 연결
#
# 새 핸들러입니다. 모든 일이 여전히 `lambda_handler` 안에서 일어나며, 그 비용은 모듈 4에서 측정합니다. 핸들러는
# 보안 암호를 가져오고, 프록시에 연결하고, 매개변수화된 쿼리 하나를 실행한 뒤 연결을 닫습니다. 선택 매개변수
# `?hold=`를 주면 쿼리가 조금 더 오래 실행되는데, 아래 측정에서 이것을 씁니다.

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
# ### 암호 바꾸기: 교체
#
# 한 번 정한 뒤 바뀌지 않는 암호는 시간이 갈수록 위험해집니다. Secrets Manager는 일정에 따라 보안 암호를
# **교체**(rotation)할 수 있습니다. 교체에는 교체 함수라는 Lambda 함수를 씁니다. AWS가 RDS for MySQL용으로 미리
# 만들어 둔 함수가 있는데, 사용자 하나를 쓰는 방식과 두 사용자를 번갈아 쓰는 방식이 있습니다. 교체 함수는 새 암호를
# 만들어 MySQL에 설정하고, 그것을 보안 암호의 현재 버전(`AWSCURRENT`)으로 표시합니다. 이전 암호는
# `AWSPREVIOUS`로 계속 읽을 수 있습니다. 코드 입장에서 중요한 것은 보안 암호를 *언제* 읽느냐입니다. v2 핸들러는
# 호출할 때마다 읽으므로 새 암호를 바로 씁니다. RDS Proxy는 여러분이 넘겨준 사본이 아니라 보안 암호에서 직접 읽은
# 자격 증명으로 MySQL에 로그인하므로, 교체 뒤에도 클라이언트는 문제없이 동작합니다(pocketcloud의 프록시는 로그인할
# 때마다 보안 암호를 읽습니다). 모듈 4의 최적화된 핸들러처럼 콜드 스타트 때 읽은 암호를 계속 들고 있는 코드는, 이미
# 열린 연결은 그대로 써도 되지만 새 연결을 열기 전에는 보안 암호를 다시 읽어야 합니다. 이 워크숍에서는 교체를 켜지
# 않습니다.

# %% [markdown]
# ## 7단계: 직접 연결과 프록시 연결 비교 측정
#
# 같은 코드를 두 번 배포합니다. API의 함수는 프록시를 거쳐 연결하고, 복사본은 인스턴스에 직접 연결합니다. 두 함수는
# 각각 `INVOCATIONS`개의 호출을 동시에 받고, 호출마다 `HOLD_S`초 동안 연결을 붙잡습니다. 그 전에 워밍업으로 함수마다
# 실행 환경 `INVOCATIONS`개를 띄워 둡니다. 똑같이 연결을 붙잡는 호출을 한 라운드씩 보내되, 새 실행 환경이 더는
# 필요 없는 라운드가 나올 때까지 반복합니다. 짧은 워밍업 호출로는 안 됩니다. 끝난 실행 환경이 다음 호출을 그대로
# 받아 버리고, Lambda는 새 실행 환경을 정해진 속도로만 늘리면서 나머지 호출은 스로틀링하기 때문입니다. 이렇게 준비한
# 뒤에야 측정 라운드가 모든 호출을 정말로 한꺼번에 실행합니다.

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
# 이 노트북이 본, 0.1초마다의 진행 중인 호출 수입니다. 직접 연결에서는 한도를 넘는 호출이 곧바로 거부되고(빨간색)
# 나머지는 연결을 붙잡고 있습니다. 프록시를 거치면 모든 호출이 성공하며(초록색), 늦게 온 호출은 풀에 빈 연결이 생길
# 때까지 기다렸다가 처리됩니다.

# %%
views.metrics.in_flight_figure(runs, ws.say("m3.in_flight_title", count=INVOCATIONS), limit=USER_LIMIT).show()

# %% [markdown]
# 그런데 한도보다 많은 직접 호출이 성공하기도 하고, 거부된 호출도 즉시 끝나지는 않습니다. 왜 그럴까요? 모든 호출은
# 먼저 보안 암호를 가져오고 로그인하는데, 이 로그인이 모두 같은 순간에 일어나지는 않습니다. 일찍 로그인한 호출은
# 붙잡는 시간이 끝나면 연결을 닫고, 늦게 로그인한 호출이 그렇게 빈자리를 차지합니다. 이번 실행의 수치는 다음과
# 같습니다.

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
# 측정하는 동안 프록시가 CloudWatch에 보고한 값입니다. `ClientConnections`는 프록시에 연결된 함수 쪽 연결이고,
# `DatabaseConnections`는 프록시가 MySQL에 실제로 연 연결입니다. CloudWatch는 1분에 값 하나만 남기므로, 몇 초짜리
# 실험에서는 실험 전체를 요약한 값만 얻을 수 있어 막대로 나타냅니다. AWS에서는 인스턴스 자체의
# `DatabaseConnections`도 함께 나타납니다.

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
# ## 측정 결과

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
# ## 연결 수만이 아니다: 연결 변동과 장애 조치
#
# 풀이 하는 일은 연결 수를 줄이는 것만이 아닙니다. MySQL 연결을 여는 것은 여러 번 주고받는 대화입니다. TCP
# 핸드셰이크, 서버의 인사 메시지, 로그인(MySQL 8.4의 `caching_sha2_password` 교환), 그리고 서버에 새 세션이
# 생깁니다. 반면 이미 열린 연결에서 쿼리를 보내는 것은 요청 하나와 응답 하나로 끝납니다. 핸들러 안에서 연결하는
# 함수는 호출할 때마다 로그인 비용을 치르고, 데이터베이스도 연결을 만들고 정리할 때마다 CPU와 메모리를 씁니다. 이것을
# **연결 변동**(connection churn)이라고 합니다. 여기서는 VPC 안의 일회용 함수가 app 사용자로 인스턴스에 직접,
# 그리고 프록시를 거쳐 두 비용을 모두 재고, 측정이 끝나면 삭제됩니다.

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
# **더 빠른 장애 조치**(AWS의 설명이며 여기서 측정하지는 않습니다. pocketcloud는 대기 인스턴스 없이 인스턴스 하나만
# 실행합니다). 다중 AZ 데이터베이스는 기본 인스턴스에 장애가 나면 대기 인스턴스로 장애 조치합니다. 그러면 인스턴스의
# DNS 이름이 새 기본 인스턴스를 가리키게 되는데, AWS 문서는 다중 AZ DB 인스턴스의 장애 조치에 60~120초가 걸린다고
# 설명합니다. 인스턴스에 직접 연결했던 클라이언트는 연결이 끊기고, 이름이 바뀔 때까지 기다린 뒤에야 다시 로그인할 수
# 있습니다. RDS Proxy는 클라이언트의 연결을 열어 둔 채 새 기본 인스턴스에 스스로 연결합니다. AWS는 RDS Proxy
# 페이지에서 이 방식으로 RDS와 Aurora의 장애 조치 시간을 최대 66% 줄인다고 밝히고 있습니다.

# %% [markdown]
# ## 정리
#
# 비교용 함수와 일회용 설정 함수를 지웁니다. 보안 암호, app 사용자, 프록시는 모듈 4와 5에서 쓰므로 남겨 둡니다.
# AWS에서 프록시는 존재하는 동안 시간당 약 USD 0.03(us-east-1 기준, 서울은 약 USD 0.036)이 듭니다. 워크숍이
# 만든 모든 것은 [`99_cleanup.ipynb`](99_cleanup.ipynb)가 지웁니다.

# %%
removed = m3.cleanup(ws, db, keep_for_next_modules=True)
ws.check(
    not any(aws.lambdas.function_exists(ws, n[key]) for key in ("direct_function", "setup_function", "check_function")),
    "m3.functions_gone",
)
ws.check(aws.proxy.describe_proxy(ws, db.proxy_name) is not None, "m3.proxy_stays")
