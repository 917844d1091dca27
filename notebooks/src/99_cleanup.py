# %% [markdown]
# # Clean up everything
#
# This notebook finds every resource the workshop created, in every module, by its name prefix
# (`sas-`) or its tag (`workshop=serverless-at-scale`), shows what each costs per hour, deletes them in
# an order that respects their dependencies (the API before the function, the proxy before the
# database, the database before the network), and lists again to show that nothing is left.
#
# It is safe to run at any time and as often as you like; the same is available from a terminal as
# `python -m helpers.cleanup --dry-run` (list only) and `python -m helpers.cleanup`.
#
# **Time**: seconds on the local target; up to 15 minutes on AWS (deleting a database and a VPC
# takes a while).

# %%
import helpers
from helpers import aws
from helpers.modules import m99_cleanup as m99

ws = helpers.connect()
found = m99.inventory(ws)
print(f"{len(found)} workshop resources, about ${found['usd_per_hour'].sum():.3f} per hour")
found

# %% [markdown]
# ## Before deleting: least privilege
#
# Every role the workshop created should name its actions and use only the narrow AWS managed
# policies Lambda documents for logging, VPC access and X-Ray. This checkpoint reads the roles as
# they are now.

# %%
ALLOWED_MANAGED = {aws.iam.BASIC_EXECUTION, aws.iam.VPC_EXECUTION, aws.iam.XRAY_WRITE}
problems = []
for role in found[found["kind"] == "iam:role"]["name"]:
    policies = aws.iam.role_policies(ws, role)
    problems += [f"{role}: broad managed policy {arn}" for arn in policies["managed"] if arn not in ALLOWED_MANAGED]
    for name, document in policies["inline"].items():
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            problems += [f"{role}/{name}: wildcard action {a}" for a in actions if a == "*" or a.endswith(":*")]
ws.check(
    not problems,
    "no workshop role has wildcard actions or broad managed policies" + "".join(f"\n  {p}" for p in problems),
)

# %% [markdown]
# ## Delete

# %%
left = m99.cleanup_everything(ws)
ws.check(left.empty, "nothing the workshop created is left")

# %% [markdown]
# Running it again finds nothing and changes nothing.

# %%
again = m99.cleanup_everything(ws)
ws.check(again.empty and m99.inventory(ws).empty, "a second clean-up is a no-op")
