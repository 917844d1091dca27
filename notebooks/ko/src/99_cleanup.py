# %% [markdown]
# # 워크숍 리소스 모두 정리하기
#
# 이 노트북은 워크숍이 모든 모듈에서 만든 리소스를 찾아냅니다. 워크숍 태그(`workshop=serverless-at-scale`)가
# 붙어 **있고**, 이름이 워크숍 접두사(`sas-`)로 시작하는 리소스만 대상으로 삼기 때문에, 여럿이 함께 쓰는
# 계정에서도 다른 사람의 리소스는 건드리지 않습니다. 리소스마다 시간당 비용을 보여 주고, 여러분이 확인하면
# 의존 관계에 맞는 순서로 삭제합니다(함수보다 API를 먼저, 함수를 먼저 지우고 역할은 마지막에, 데이터베이스보다
# 프록시를 먼저, 네트워크보다 데이터베이스를 먼저). 삭제가 끝나면 목록을 다시 만들어 아무것도 남지 않았음을
# 보여 줍니다.
#
# 언제 실행해도, 몇 번을 실행해도 안전합니다. 터미널에서는 `python -m helpers.cleanup --dry-run`(목록만 출력)과
# `python -m helpers.cleanup --yes`로 같은 일을 할 수 있습니다.
#
# **소요 시간**: 로컬 대상에서는 몇 초면 끝납니다. AWS에서는 15분에서 1시간 정도 걸립니다. 데이터베이스와
# 프록시는 삭제에만 몇 분이 걸리고, Lambda는 VPC에 연결된 함수의 네트워크 인터페이스를 함수가 삭제된 뒤 최대
# 40분쯤 지나서야 해제합니다. 네트워크는 이 인터페이스가 모두 사라진 다음에야 지울 수 있습니다.

# %%
import helpers
from helpers import aws, views
from helpers.modules import m99_cleanup as m99

ws = helpers.connect()
found = m99.inventory(ws)
print(ws.say("m99.inventory", count=len(found), usd=found["usd_per_hour"].sum()))
views.tables.readable(found, decimals=4)

# %% [markdown]
# ## 삭제하기 전에: 최소 권한
#
# 워크숍이 만든 역할은 모두 허용할 작업(action)을 하나하나 밝혀야 하고, AWS 관리형 정책으로는 Lambda 문서가
# 안내하는 좁은 범위의 정책(로깅, VPC 액세스, X-Ray)만 써야 합니다. 이 체크포인트는 역할을 지금 상태 그대로
# 읽어 확인합니다.

# %%
ALLOWED_MANAGED = {aws.iam.BASIC_EXECUTION, aws.iam.VPC_EXECUTION, aws.iam.XRAY_WRITE}
roles = list(found[found["kind"] == "iam:role"]["name"])
problems = []
for role in roles:
    policies = aws.iam.role_policies(ws, role)
    problems += [
        ws.say("m99.broad_policy", role=role, arn=arn) for arn in policies["managed"] if arn not in ALLOWED_MANAGED
    ]
    for name, document in policies["inline"].items():
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            problems += [
                ws.say("m99.wildcard", role=role, policy=name, action=a)
                for a in actions
                if a == "*" or a.endswith(":*")
            ]
if roles:
    ws.check(
        not problems,
        "m99.roles_least_privilege",
        count=len(roles),
        problems="".join(f"\n  {p}" for p in problems),
    )
else:
    print(ws.say("m99.no_roles"))

# %% [markdown]
# ## 삭제
#
# 먼저 위 목록을 꼼꼼히 읽어 보세요. 삭제는 되돌릴 수 없으므로, 이 셀은 `CONFIRM_DELETE`가 `True`일 때만
# 삭제합니다. 로컬 대상에서는 `True`입니다. pocketcloud는 여러분만 쓰는, 언제 버려도 되는 환경이기 때문입니다.
# **AWS에서는 `False`이니 직접 `True`로 바꾸세요.** 목록에 지워도 되는 것만 있는지 확인한 뒤 셀을 다시
# 실행하면 됩니다.

# %%
CONFIRM_DELETE = ws.default(local=True, aws=False)

# %%
result = m99.delete_everything(ws, confirm=CONFIRM_DELETE)
if CONFIRM_DELETE:
    ws.check(
        result.left.empty,
        "m99.nothing_left",
        count=len(found),
        left="".join(ws.say("m99.left_row", kind=row.kind, name=row.name) for row in result.left.itertuples()),
    )
views.tables.readable(result.deleted, decimals=4)

# %% [markdown]
# 다시 실행해도 찾는 것이 없으므로 아무것도 삭제하지 않습니다.

# %%
again = m99.delete_everything(ws, confirm=CONFIRM_DELETE)
if CONFIRM_DELETE:
    ws.check(again.deleted.empty and again.left.empty, "m99.second_finds_nothing")
