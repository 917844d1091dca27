# %% [markdown]
# # Clean up everything
#
# This notebook finds every resource the workshop created, in every module: what carries the
# workshop's tag (`workshop=serverless-at-scale`) **and** a name with its prefix (`sas-`), so that in an
# account you share, nobody else's resources are touched. It shows what each costs per hour and, once
# you confirm, deletes them in an order that respects their dependencies (the API before the function,
# the functions first and their roles last, the proxy before the database, the database before the
# network), then lists again to show that nothing is left.
#
# It is safe to run at any time and as often as you like; the same is available from a terminal as
# `python -m helpers.cleanup --dry-run` (list only) and `python -m helpers.cleanup --yes`.
#
# **Time**: seconds on the local target. On AWS, 15 minutes to about an hour: a database and a
# proxy take minutes to delete, and Lambda releases a VPC function's network interfaces up to about
# 40 minutes after the function is gone; the network can only go after them.

# %%
import helpers
from helpers import aws, views
from helpers.modules import m99_cleanup as m99

ws = helpers.connect()
found = m99.inventory(ws)
print(ws.say("m99.inventory", count=len(found), usd=found["usd_per_hour"].sum()))
views.tables.readable(found, decimals=4)

# %% [markdown]
# ## Before deleting: least privilege
#
# Every role the workshop created should name its actions and use only the narrow AWS managed
# policies Lambda documents for logging, VPC access and X-Ray. This checkpoint reads the roles as
# they are now.

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
# ## Delete
#
# Read the list above first. Deleting cannot be undone, so this cell deletes only when
# `CONFIRM_DELETE` is `True`. On the local target it is `True`: pocketcloud is yours alone and
# disposable. **On AWS it is `False`: set it to `True` yourself** once the list shows only what you
# want gone, and run the cell again.

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
# Running it again finds nothing and deletes nothing.

# %%
again = m99.delete_everything(ws, confirm=CONFIRM_DELETE)
if CONFIRM_DELETE:
    ws.check(again.deleted.empty and again.left.empty, "m99.second_finds_nothing")
