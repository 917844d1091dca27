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
from helpers import aws
from helpers.modules import m99_cleanup as m99

ws = helpers.connect()
found = m99.inventory(ws)
print(f"{len(found)} workshop resources, about USD {found['usd_per_hour'].sum():.3f} per hour")
found

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
    problems += [f"{role}: broad managed policy {arn}" for arn in policies["managed"] if arn not in ALLOWED_MANAGED]
    for name, document in policies["inline"].items():
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            problems += [f"{role}/{name}: wildcard action {a}" for a in actions if a == "*" or a.endswith(":*")]
if roles:
    ws.check(
        not problems,
        f"none of the {len(roles)} workshop roles has wildcard actions or broad managed policies"
        + "".join(f"\n  {p}" for p in problems),
    )
else:
    print("No workshop role exists any more: there is nothing to check.")

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
        f"the inventory, listed again after deleting, shows nothing of the workshop's ({len(found)} were listed)"
        + "".join(f"\n  left: {row.kind} {row.name}" for row in result.left.itertuples()),
    )
result.deleted

# %% [markdown]
# Running it again finds nothing and deletes nothing.

# %%
again = m99.delete_everything(ws, confirm=CONFIRM_DELETE)
if CONFIRM_DELETE:
    ws.check(again.deleted.empty and again.left.empty, "a second clean-up finds nothing and deletes nothing")
