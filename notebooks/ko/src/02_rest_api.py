# %% [markdown]
# # 모듈 2: 데이터베이스를 쓰는 REST API
#
# HTTP 엔드포인트 뒤에 함수를 두고, 그 함수에 MySQL 데이터베이스를 붙입니다.
#
# ```
# 클라이언트 --HTTPS--> API Gateway (스테이지 dev) --> Lambda (VPC 안) --SQL--> RDS for MySQL
# ```
#
# 그 과정에서 함수와 데이터베이스가 함께 쓸 프라이빗 네트워크(VPC), MySQL 드라이버를 담은 Lambda **계층**(layer),
# 그리고 REST API를 만듭니다.
#
# **무엇을 측정하나요?** API를 20번 호출해 각 호출의 지연 시간을 함수 자체의 실행 시간과 나란히 놓고 봅니다. 첫
# 호출은 새 실행 환경을 시작해야 하므로, 여기서 **콜드 스타트**가 눈에 보입니다.
#
# **소요 시간**: 로컬 대상에서 약 2분, AWS에서 약 15분(대부분 데이터베이스를 만드는 시간입니다).
#
# **AWS 비용** (us-east-1 정가 기준):
#
# | 리소스 | 요금 |
# |---|---|
# | RDS for MySQL db.t3.micro (단일 AZ) | 시간당 USD 0.017 + 스토리지 GB-월당 USD 0.115 |
# | Secrets Manager (마스터 암호) | 보안 암호 1개당 월 USD 0.40 |
# | API Gateway REST | 요청 100만 건당 USD 3.50 |
# | Lambda | 요청 100만 건당 USD 0.20 + GB-초당 USD 0.0000166667 |
#
# 서울 리전(ap-northeast-2)에서는 db.t3.micro가 시간당 USD 0.026으로 더 비싸고, Secrets Manager와 Lambda는
# 같은 요금입니다(워크숍에 포함된 요금 스냅샷 기준). 2단계의 다중 AZ 설명 아래 셀이 이번 실행 리전의 인스턴스
# 요금으로 다시 계산해 보여 줍니다.
#
# 데이터베이스는 존재하는 동안 시간 단위로 과금됩니다. 모듈 3에서 그대로 이어서 쓰지만, 여기서 멈출 생각이라면
# 정리 셀을 실행하거나 [`99_cleanup.ipynb`](99_cleanup.ipynb)를 실행하세요.

# %% [markdown]
# ## 준비

# %%
import datetime as dt
import time

import pandas as pd
from IPython.display import Markdown, display

import helpers
from helpers import aws, measure, views
from helpers.modules import m2_rest_api as m2

ws = helpers.connect()
names = m2.names(ws)
views.tables.names_table(names)

# %%
CALLS = 20  # calls to the API in the measurement step
KEEP_FOR_MODULE_3 = True  # False deletes the database and API at the end instead of keeping them for module 3

# %% [markdown]
# ## 1단계: 프라이빗 네트워크
#
# 데이터베이스는 인터넷에서 닿을 수 없어야 하므로 VPC의 프라이빗 서브넷에 둡니다. 서브넷은 두 가용 영역에 하나씩
# 있습니다(RDS는 가용 영역 두 개를 요구합니다). 함수도 같은 서브넷에 연결됩니다. 보안 그룹 두 개가 방화벽 역할을
# 해서, 데이터베이스는 함수의 보안 그룹에서 오는 MySQL 트래픽(포트 3306)만 받습니다. 네트워크는 저장소에 있는
# CloudFormation 템플릿 [`helpers/aws/templates/vpc.yaml`](../../helpers/aws/templates/vpc.yaml)로 만듭니다.
#
# 그런데 네트워크가 왜 필요할까요? MySQL은 호스트와 포트로 맺은 TCP 연결 위에서 자체 프로토콜로 통신하고, 확인하는
# 것은 사용자 이름과 암호뿐입니다. 포트에 닿을 수만 있으면 누구나 로그인을 시도할 수 있으니, 데이터베이스를 안전하게
# 둘 곳은 바깥에서 아무도 닿을 수 없는 네트워크뿐입니다. 함수가 데이터베이스와 통신하려면 그 네트워크 안으로 들어가야
# 하고요. 반면 DynamoDB처럼 HTTPS로 접근하고 IAM으로 권한을 확인하는 서비스에는 이런 준비가 전혀 필요 없습니다.
# 모든 요청이 함수의 역할로 서명되고 AWS가 그 서명을 검사하므로 VPC 밖의 함수도 쓸 수 있고, 열어 두거나 유지하거나
# 풀링할 연결도 없습니다.

# %%
network = aws.network.deploy_vpc(ws, names["network"])
ws.check(len(network["SubnetIds"]) == 2, "m2.two_subnets")
network

# %% [markdown]
# ## 2단계: 데이터베이스
#
# RDS에는 먼저 어느 서브넷을 쓸 수 있는지 정하는 **DB 서브넷 그룹**이 필요하고, 그다음에 인스턴스를 만듭니다.
# 마스터 암호는 Secrets Manager가 생성해 그곳에 보관하며, 노트북은 암호를 출력하지 않습니다. MySQL 버전은 아직
# 표준 지원 기간에 있는 가장 새로운 메이저 버전 가운데 RDS가 현재 기본값으로 제공하는 버전입니다
# (`describe_db_engine_versions`로 읽습니다). 인스턴스는 RDS 연장 지원(Extended Support)을 끈 상태로 만들기
# 때문에, 오래된 버전 때문에 연장 지원 요금이 시간당 추가로 붙는 일은 생기지 않습니다.

# %%
subnet_group = aws.database.ensure_subnet_group(ws, names["subnet_group"], network["SubnetIds"])
db = aws.database.ensure_database(
    ws,
    names["db"],
    subnet_group=subnet_group,
    security_group_ids=[network["DatabaseSecurityGroupId"]],
    secret_name=names["db_secret"],
)
ws.check(db["DBInstanceStatus"] == "available", "m2.db_available", name=names["db"])
secret = aws.secrets.read_secret(ws, db["SecretArn"])
views.tables.facts_table(
    {
        ws.say("m2.db.endpoint"): db["Endpoint"]["Address"],
        ws.say("m2.db.port"): db["Endpoint"]["Port"],
        ws.say("m2.db.engine"): f"{db['Engine']} {db['EngineVersion']}",
        ws.say("m2.db.class"): db["DBInstanceClass"],
        ws.say("m2.db.user"): secret["username"],
        ws.say("m2.db.password"): views.tables.mask(secret["password"]),
    }
)

# %% [markdown]
# 이 인스턴스는 가용 영역 하나에서만 실행됩니다. 워크숍에는 충분하지만 프로덕션에 알맞은 구성은 아닙니다. **다중 AZ**로
# 만들면 RDS가 다른 가용 영역에 동기식 대기 복제본을 두고, 기본 인스턴스나 그 가용 영역에 장애가 나면 엔드포인트의
# DNS 이름을 대기 인스턴스로 넘깁니다. 이것이 장애 조치(failover)이며, 애플리케이션 설정은 바꿀 필요가 없습니다.
# 대기 인스턴스는 기다리는 동안 쿼리를 처리하지 않지만, 요금은 기본 인스턴스와 똑같이 나옵니다.

# %%
book = measure.prices.price_book(ws)  # the Korean edition prices Seoul on pocketcloud: the book names its region
hourly = book.rds_instance_hourly_usd(db["DBInstanceClass"])
display(
    Markdown(
        ws.say(
            "m2.multi_az_price",
            db_class=db["DBInstanceClass"],
            hourly=hourly,
            region=book.region,
            source=book.source,
            double=2 * hourly,
            double_month=2 * hourly * 730,
            month=hourly * 730,
        )
        if hourly is not None
        else ws.say("m2.multi_az_no_price", db_class=db["DBInstanceClass"], region=book.region)
    )
)

# %% [markdown]
# ## 3단계: MySQL 드라이버를 담은 계층
#
# Lambda의 Python 런타임에는 boto3는 들어 있지만 `pymysql`은 없습니다. **계층**(layer)은 추가 코드를 담은 zip
# 파일로, Lambda가 함수의 import 경로(`/opt/python` 아래)에 더해 줍니다. AWS에서는 헬퍼가 Lambda의 Linux용으로
# 빌드된 wheel을 내려받고, 로컬에서는 이 컴퓨터에 설치된 사본을 패키징합니다. 계층에는 `cryptography`(pymysql의
# `rsa` extra)도 들어 있습니다. MySQL 8.4는 `caching_sha2_password`로 사용자를 인증하는데, TLS 없이 처음 로그인할
# 때 RSA가 필요하기 때문입니다.
#
# 계층은 한 번 게시해 두고 여러 함수가 함께 씁니다. 계층 ARN을 지정한 함수는 모두 같은 파일을 받으므로, 드라이버를
# 한곳에서 패키징하고 업데이트할 수 있습니다. 모듈 3~5가 이 계층을 그대로 쓰고, 모듈 5는 X-Ray SDK용 계층을
# 하나 더 붙입니다. AWS에서는 함수 하나에 계층을 최대 5개까지 붙일 수 있고, 함수 코드와 모든 계층을 합친 크기는
# 압축을 푼 상태로 250MB를 넘을 수 없습니다(Lambda 할당량).

# %%
layer_arn = aws.layers.build_layer(ws, names["layer"], aws.layers.MYSQL_DRIVER)
layer_arn

# %% [markdown]
# ## 4단계: 함수
#
# 핸들러는 데이터베이스에 연결해 `SELECT NOW()`로 현재 시각을 묻고, API Gateway가 기대하는 모양(`statusCode`,
# `headers`, `body`)으로 돌려줍니다. 암호를 포함한 연결 설정은 환경 변수로 전달됩니다. 동작은 하지만, 함수 구성을
# 읽을 수 있는 사람이면 누구나 암호도 볼 수 있습니다. 암호는 이미 Secrets Manager에 보관되어 있습니다(2단계).
# [**모듈 3**](03_secrets_and_proxy.ipynb)에서는 함수가 시작할 때 암호를 그곳에서 읽어 오도록 바꿔서, 함수 구성에 암호
# 사본이 남지 않게 합니다.

# %%
views.tables.show_code("db_time_v1")

# %%
role_arn = aws.iam.ensure_lambda_role(ws, names["role"], managed=[aws.iam.VPC_EXECUTION])
config = aws.lambdas.deploy_function(
    ws,
    names["function"],
    "db_time_v1",
    role_arn=role_arn,
    env=m2.database_env(ws, db["SecretArn"]),
    layers=[layer_arn],
    subnet_ids=network["SubnetIds"],
    security_group_ids=[network["LambdaSecurityGroupId"]],
)
ws.check(config["State"] == "Active", "m2.function_active", name=names["function"])
direct = measure.invocations.invoke(ws, names["function"])
ws.check(direct.status == 200 and direct.error is None, "m2.reads_db_time")
direct

# %% [markdown]
# ## 5단계: REST API
#
# REST API는 메서드가 달린 리소스의 트리입니다. 여기서 `GET /`는 **Lambda 프록시 통합**을 씁니다. API Gateway가
# HTTP 요청 전체를 이벤트로 함수에 넘기고, 함수가 답한 내용을 그대로 돌려줍니다. API Gateway가 함수를 호출할 수 있는
# 것은 헬퍼가 함수의 리소스 기반 정책에 권한을 추가해 두었기 때문입니다. API는 스테이지(여기서는 `dev`)에
# **배포**해야 비로소 호출할 수 있습니다.

# %%
api = aws.api.ensure_rest_api(ws, names["api"], names["function"])
response = aws.api.call_api(api["url"])
ws.check(response.status == 200 and "db_time" in response.body, "m2.api_answers")
display(Markdown(ws.say("m2.api_call", url=api["url"], status=response.status, latency_ms=response.latency_ms)))
response.body

# %% [markdown]
# REST API의 **엔드포인트 유형**은 세 가지입니다. *엣지 최적화*(REST API에서 API Gateway의 기본값)는 호출자를
# 가장 가까운 CloudFront 엣지 로케이션을 거쳐 연결하므로, 전 세계에 흩어진 클라이언트에 알맞습니다. *리전*은 같은
# 리전의 호출자에게 CloudFront 없이 바로 응답하고, 원하면 직접 고른 CDN을 앞에 둘 수 있습니다. *프라이빗*은
# 인터페이스 VPC 엔드포인트를 통해 VPC 안에서만 접근할 수 있습니다. 헬퍼는 리전 API를 만듭니다. 학습자의 노트북과
# 모듈 4의 부하 생성기가 모두 한곳에서 호출하기 때문입니다. API Gateway가 알려 주는 유형은 다음과 같습니다.

# %%
rest_api = ws.client("apigateway").get_rest_api(restApiId=aws.api.api_id_and_stage(api["url"])[0])
endpoint_types = rest_api["endpointConfiguration"]["types"]
ws.check(endpoint_types == ["REGIONAL"], "m2.regional", name=rest_api["name"], types=endpoint_types)

# %% [markdown]
# ## 측정 결과
#
# 다음 호출이 일부러 콜드 스타트가 되도록 만듭니다. 구성을 바꾸면 기존 웜 실행 환경은 더 이상 쓰이지 않습니다. 그런
# 다음 API를 연달아 20번 호출하고, 호출마다 CloudWatch Logs에서 `REPORT` 줄을 읽습니다.

# %%
aws.lambdas.deploy_function(
    ws,
    names["function"],
    "db_time_v1",
    role_arn=role_arn,
    env={**m2.database_env(ws, db["SecretArn"]), "RUN": str(int(time.time()))},
    layers=[layer_arn],
    subnet_ids=network["SubnetIds"],
    security_group_ids=[network["LambdaSecurityGroupId"]],
)
started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
calls = []
for i in range(CALLS):
    answer = aws.api.call_api(api["url"])
    calls.append({"call": i + 1, "status": answer.status, "latency_ms": answer.latency_ms})
reports = measure.invocations.wait_for_reports(ws, names["function"], started, CALLS)
ws.check(len(reports) >= CALLS, "m2.reports_arrived")
calls = pd.DataFrame(calls).join(reports.tail(CALLS).reset_index(drop=True)[["duration_ms", "init_ms", "cold"]])
ws.check((calls["status"] == 200).all(), "m2.all_200", count=CALLS)
views.tables.readable(calls.head())

# %%
views.latency.plot_latency(calls, ws.say("m2.latency_title", count=CALLS))

# %%
cold, warm = calls[calls["cold"]], calls[~calls["cold"]]
ws.check(bool(calls["cold"].iloc[0]) and len(warm) == CALLS - 1, "m2.first_cold", warm=CALLS - 1)
ws.check(cold["latency_ms"].iloc[0] > warm["latency_ms"].median(), "m2.cold_slower")
display(
    Markdown(
        ws.say(
            "m2.summary",
            cold_ms=cold["latency_ms"].iloc[0],
            init_ms=cold["init_ms"].iloc[0],
            handler_ms=cold["duration_ms"].iloc[0],
            warm=len(warm),
            warm_ms=warm["latency_ms"].median(),
            warm_handler_ms=warm["duration_ms"].median(),
        )
    )
)

# %% [markdown]
# ## 아키텍처
#
# 이 노트북이 배포한 것을 지금 존재하는 리소스에서 읽어 그린 그림입니다.

# %%
instance = ws.client("rds").describe_db_instances(DBInstanceIdentifier=names["db"])["DBInstances"][0]
client = ws.say("m2.node_client")
views.diagrams.diagram(
    [
        (client, "HTTP GET /"),
        ("API Gateway", f"{names['api']} / {api['stage']}"),
        ("Lambda", ws.say("m2.node_layer", function=names["function"])),
        ("RDS MySQL", f"{instance['DBInstanceIdentifier']} ({instance['DBInstanceClass']})"),
    ],
    [(client, "API Gateway"), ("API Gateway", "Lambda"), ("Lambda", "RDS MySQL")],
    ws.say("m2.diagram_title", vpc=network["VpcId"]),
)

# %% [markdown]
# ## 정리
#
# 모듈 3은 이 데이터베이스와 API 위에 쌓아 올리므로, 위에서 `KEEP_FOR_MODULE_3 = True`로 두어 남겨 둡니다. 여기서
# 멈출 생각이라면 이 값을 `False`로 바꾸고 이 셀을 다시 실행하세요. 모듈 2의 리소스를 지웁니다(AWS에서는 데이터베이스
# 삭제에 몇 분 걸립니다). 워크숍이 만든 모든 것을 지우려면 [`99_cleanup.ipynb`](99_cleanup.ipynb)를 실행하세요.

# %%
if KEEP_FOR_MODULE_3:
    print(ws.say("m2.kept"))
else:
    removed = m2.cleanup(ws)
    instances = ws.client("rds").describe_db_instances()["DBInstances"]
    left = {d["DBInstanceStatus"] for d in instances if d["DBInstanceIdentifier"] == names["db"]}
    ws.check(left <= {"deleting"}, "m2.db_deleted", left=left or ws.say("m2.gone"))
    ws.check(not aws.lambdas.function_exists(ws, names["function"]), "m2.function_deleted", name=names["function"])
    ws.check(not aws.api.find_rest_apis(ws, names["api"]), "m2.api_deleted", name=names["api"])
    display(removed)
