"""aws/learner-policy.json allows every AWS action the workshop calls, on the workshop's resources only.

The calls are read from the code (tests/unit/aws_calls.py: helpers/ and the notebooks, AST and botocore's
service and waiter models) and from the network template's resources (CloudFormation creates them with the
caller's permissions); the policy is evaluated with pocketcloud's IAM evaluator (pocketcloud/iam/policy.py),
the IAM action named as pocketcloud's IAM names it (pocketcloud/iam/actions.py). Each action is asked on a
resource named with the workshop prefix (``sas-``) and tagged ``workshop=serverless-at-scale``, and, for
changes, again on somebody else's resource, which must be refused.

Why read the code rather than record a pocketcloud run: every call site counts, including the AWS-only paths
and the cleanup of what a run happened not to leave behind, and the test runs in a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import yaml

from pocketcloud.iam.actions import Operation
from pocketcloud.iam.policy import Decision, Policy, evaluate

from .aws_calls import ROOT, SOURCES, Call, _botocore, scan

POLICY_PATH = ROOT / "aws" / "learner-policy.json"
BOUNDARY_PATH = ROOT / "aws" / "workshop-boundary.json"
ROLE_TEMPLATE = ROOT / "aws" / "learner-role.yaml"
NETWORK_TEMPLATES = sorted((ROOT / "helpers" / "aws" / "templates").glob("*.yaml"))
REGION, ACCOUNT = "us-east-1", "123456789012"
TAG = {"workshop": "serverless-at-scale"}
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/sas-workshop-boundary"
# IAM actions whose request context holds iam:PermissionsBoundary (Service Authorization Reference, IAM): the
# boundary the request sets, when the call passes one ...
SETS_BOUNDARY = {"iam:CreateRole", "iam:PutRolePermissionsBoundary"}
# ... or the boundary the role has, which every role the helpers touch carries (helpers/aws/iam.py ensure_role
# sets it; the teardown puts it on an older sas- role before removing its policies).
KEEPS_BOUNDARY = {"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy"}
# Calls the learner's policy refuses on purpose: helpers/aws/iam.py ensure_boundary creates the boundary only
# when it is missing, and brings an older one up to date, which an administrator may do; a learner is told to
# deploy (or update) aws/learner-role.yaml.
ADMIN_ONLY = {
    ("iam", "CreatePolicy"),
    ("iam", "ListPolicyVersions"),
    ("iam", "DeletePolicyVersion"),
    ("iam", "CreatePolicyVersion"),
}

# Operations IAM authorizes under another action name than pocketcloud's table has (Service Authorization
# Reference, Amazon S3: PutBucketNotificationConfiguration is s3:PutBucketNotification, and its Get likewise).
ACTION_OF = {
    ("s3", "PutBucketNotificationConfiguration"): "s3:PutBucketNotification",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
}
# Operations that need no permission (STS API Reference, GetCallerIdentity: "No permissions are required").
NEEDS_NO_PERMISSION = {("sts", "GetCallerIdentity")}
# Actions the Service Authorization Reference lists with no resource type: IAM checks them on "*".
NO_RESOURCE_TYPE = {
    "lambda:ListFunctions", "lambda:ListLayers", "lambda:ListEventSourceMappings", "lambda:GetAccountSettings",
    "secretsmanager:ListSecrets", "secretsmanager:GetRandomPassword", "sns:ListTopics", "s3:ListAllMyBuckets",
    "iam:ListRoles", "logs:DescribeLogGroups", "cloudformation:DescribeStacks", "rds:DescribeDBEngineVersions",
    "rds:DescribeDBMajorEngineVersions", "rds:DescribeOrderableDBInstanceOptions", "route53:AssociateVPCWithHostedZone",
}  # fmt: skip
# Actions a call needs besides its own (Service Authorization Reference, "Dependent actions", and the
# services' guides): Lambda's "Configuring VPC access" (the caller needs ec2:DescribeSecurityGroups,
# DescribeSubnets, DescribeVpcs); an interface endpoint with private DNS associates the VPC with a hosted
# zone; RDS creates its service-linked role on an account's first DB instance.
DEPENDENT = {
    ("lambda", "CreateFunction"): ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
    ("lambda", "UpdateFunctionConfiguration"): ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
                                                 "ec2:DescribeVpcs"],
    ("ec2", "CreateVpcEndpoint"): ["route53:AssociateVPCWithHostedZone"],
    ("rds", "CreateDBInstance"): ["iam:CreateServiceLinkedRole"],
}  # fmt: skip
# Tagging on create needs the service's tagging action too (each service's "tag on create" authorization:
# Lambda, SNS, Secrets Manager, IAM, RDS, CloudFormation, EC2 CreateTags with ec2:CreateAction, API Gateway).
TAG_ACTION = {
    "lambda": "lambda:TagResource", "sns": "sns:TagResource", "secretsmanager": "secretsmanager:TagResource",
    "iam": "iam:TagRole", "rds": "rds:AddTagsToResource", "cloudformation": "cloudformation:TagResource",
    "ec2": "ec2:CreateTags", "s3": "s3:PutBucketTagging",
}  # fmt: skip
# What CloudFormation calls, with the caller's permissions, to create and delete each resource type of the
# network template (the resource types' schemas, "handlers" create/delete permissions).
CFN_HANDLER_ACTIONS = {
    "AWS::EC2::VPC": ["ec2:CreateVpc", "ec2:DescribeVpcs", "ec2:ModifyVpcAttribute", "ec2:DescribeVpcAttribute",
                      "ec2:CreateTags", "ec2:DeleteVpc"],
    "AWS::EC2::Subnet": ["ec2:CreateSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute", "ec2:CreateTags",
                         "ec2:DeleteSubnet", "ec2:DescribeNetworkInterfaces"],
    "AWS::EC2::SecurityGroup": ["ec2:CreateSecurityGroup", "ec2:DescribeSecurityGroups",
                                "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
                                "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags", "ec2:DeleteSecurityGroup"],
}  # fmt: skip
# Inline policies of one role may hold 10,240 characters in all, whitespace not counted (IAM and AWS STS quotas).
INLINE_POLICY_LIMIT = 10_240


def load_policy() -> dict[str, Any]:
    return json.loads(POLICY_PATH.read_text())


def load_boundary() -> dict[str, Any]:
    return json.loads(BOUNDARY_PATH.read_text())


def iam_action(service: str, operation: str) -> str:
    """The IAM action of one API operation (API Gateway's are HTTP verbs: see :func:`apigateway_request`)."""
    if (service, operation) in ACTION_OF:
        return ACTION_OF[(service, operation)]
    if service == "apigateway":
        return apigateway_request(operation)[0]
    signing_name = _botocore().get_service_model(service).signing_name
    return Operation(service, signing_name, "", operation, {}, REGION, ACCOUNT).action


def apigateway_request(operation: str) -> tuple[str, str]:
    """API Gateway authorizes ``apigateway:<HTTP method>`` on the path the request names (Service Authorization
    Reference, Amazon API Gateway Management): both from the operation's HTTP binding in botocore's model."""
    http = _botocore().get_service_model("apigateway").operation_model(operation).http
    path = http["requestUri"].split("?")[0]
    for name, value in (("{restapi_id}", "a1b2c3"), ("{resource_id}", "r00t"), ("{stage_name}", "dev")):
        path = path.replace(name, value)
    return f"apigateway:{http['method']}", f"arn:aws:apigateway:{REGION}::{path.replace('{http_method}', 'GET')}"


def sample_resource(action: str, owner: str = "sas-demo") -> str:
    """The ARN IAM checks ``action`` on when it names a resource called ``owner`` (ARN formats from the Service
    Authorization Reference); ``*`` for actions with no resource type."""
    service, _, name = action.partition(":")
    arn = f"arn:aws:{service}:{REGION}:{ACCOUNT}"
    if action in NO_RESOURCE_TYPE or service in ("xray", "cloudwatch", "pricing", "sts"):
        return "*"
    if service == "lambda":
        if "EventSourceMapping" in name:
            return f"{arn}:event-source-mapping:0f5e0a3c-1111-2222-3333-444455556666"
        return f"{arn}:layer:{owner}-layer:1" if "Layer" in name else f"{arn}:function:{owner}"
    if service == "rds":
        if "Proxy" in name and "Target" not in name:
            return f"{arn}:db-proxy:prx-0123456789abcdef0"
        if "SubnetGroup" in name:
            return f"{arn}:subgrp:{owner}"
        return f"{arn}:db:{owner}"
    if service == "secretsmanager":
        return f"{arn}:secret:{owner}-AbCdEf"
    if service == "iam":
        if "Policy" in name and "Role" not in name:  # the one managed policy the helpers read: the boundary
            return BOUNDARY_ARN.replace("sas-", owner.removesuffix("demo"))
        if name == "CreateServiceLinkedRole":
            return f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"
        return f"arn:aws:iam::{ACCOUNT}:role/{owner}"
    if service == "s3":
        return f"arn:aws:s3:::{owner}/key" if "Object" in name else f"arn:aws:s3:::{owner}"
    if service == "sns":
        topic = f"{arn}:{owner}"
        return f"{topic}:0f5e0a3c-1111-2222-3333-444455556666" if "SubscriptionAttributes" in name else topic
    if service == "logs":
        return f"{arn}:log-group:/aws/lambda/{owner}:*"
    if service == "cloudformation":
        return f"{arn}:stack/{owner}-network/0f5e0a3c-1111-2222-3333-444455556666"
    if service == "ec2":
        return f"{arn}:vpc-endpoint/vpce-0123456789abcdef0" if "VpcEndpoint" in name else "*"
    return "*"


def policy_arns_attached_by_helpers() -> set[str]:
    """AWS managed policies the helpers attach to their roles: every such ARN written in the sources."""
    import ast

    found = set()
    for root in SOURCES:
        for path in root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and str(node.value).startswith("arn:aws:iam::aws:policy/"):
                    found.add(str(node.value))
    return found


def context(action: str, resource: str, **extra: Any) -> dict[str, Any]:
    """The request context of a workshop call: its resource and the new resource carry the workshop's tag."""
    keys: dict[str, Any] = {
        "aws:principalaccount": ACCOUNT,
        "aws:resourcetag/workshop": TAG["workshop"],
        "aws:requesttag/workshop": TAG["workshop"],
        "aws:tagkeys": list(TAG),
    }
    if action.startswith("lambda:") and "event-source-mapping" in resource:
        keys["lambda:functionarn"] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sas-demo"
    if action == "iam:CreateServiceLinkedRole":
        keys["iam:awsservicename"] = "rds.amazonaws.com"
    if action == "ec2:CreateTags":
        keys["ec2:createaction"] = "CreateVpcEndpoint"
    keys.update({k.lower(): v for k, v in extra.items()})
    return keys


def decide(policy: dict[str, Any], action: str, resource: str, ctx: dict[str, Any]) -> Decision:
    return evaluate([Policy(policy)], action, resource, ctx)


def needed(calls: Iterable[Call]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """Each required (action, resource, context), keyed by where it comes from."""
    model = _botocore()
    required: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    attach_arns = sorted(policy_arns_attached_by_helpers())
    for call in sorted(calls):
        key = (call.service, call.operation)
        if key in NEEDS_NO_PERMISSION or key in ADMIN_ONLY:
            continue
        action = iam_action(*key)
        resource = apigateway_request(call.operation)[1] if call.service == "apigateway" else sample_resource(action)
        bounded = action in KEEPS_BOUNDARY or (action in SETS_BOUNDARY and "PermissionsBoundary" in call.keywords)
        boundary = {"iam:PermissionsBoundary": BOUNDARY_ARN} if bounded else {}
        entries = [(action, resource, context(action, resource, **boundary))]
        if action == "iam:AttachRolePolicy":
            entries = [
                (action, resource, context(action, resource, **{"iam:PolicyARN": a}, **boundary)) for a in attach_arns
            ]
        members = model.get_service_model(call.service).operation_model(call.operation).input_shape.members
        if {"Role", "RoleArn"} & set(members):  # it passes a role to the service
            passed = {"iam:PassedToService": f"{call.service}.amazonaws.com"}
            entries.append(("iam:PassRole", sample_resource("iam:PassRole"), context("iam:PassRole", "", **passed)))
        if {"Tags", "tags", "TagSpecifications"} & set(call.keywords) and call.service in TAG_ACTION:
            tag_action = TAG_ACTION[call.service]
            entries.append((tag_action, resource, context(tag_action, resource)))  # tags what the call creates
        for dependent in DEPENDENT.get(key, []):
            entries.append((dependent, sample_resource(dependent), context(dependent, "")))
        required.setdefault(f"{call.where} {call.service}.{call.operation}", []).extend(entries)
    for template in NETWORK_TEMPLATES:
        for name, resource in yaml.load(template.read_text(), Loader=_CfnLoader)["Resources"].items():
            actions = CFN_HANDLER_ACTIONS.get(resource["Type"])
            assert actions is not None, f"{template.name}: {resource['Type']} has no known handler permissions"
            via = {"aws:CalledVia": ["cloudformation.amazonaws.com"]}
            required[f"{template.name} {name}"] = [(a, "*", context(a, "*", **via)) for a in actions]
    return required


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub ...) read as plain values."""


def _short_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _short_tag)


def test_the_scan_finds_the_workshops_calls_and_no_ambiguous_one() -> None:
    calls, ambiguous = scan()
    assert not ambiguous, f"calls whose service the scan cannot tell (bind the client to a variable): {ambiguous}"
    found = {(c.service, c.operation) for c in calls}
    # A few calls every run makes: the scan must see through variables, paginators and waiters.
    assert {("lambda", "CreateFunction"), ("iam", "ListRoles"), ("rds", "DescribeDBInstances"),
            ("cloudformation", "DescribeStacks"), ("cloudwatch", "GetMetricData")} <= found  # fmt: skip


def test_every_action_the_workshop_calls_is_allowed_on_its_own_resources() -> None:
    policy = load_policy()
    calls, _ = scan()
    refused = [
        f"{where}: {action} on {resource}"
        for where, entries in needed(calls).items()
        for action, resource, ctx in entries
        if decide(policy, action, resource, ctx) is not Decision.ALLOW
    ]
    assert not refused, "aws/learner-policy.json refuses:\n" + "\n".join(refused)


def test_changes_to_somebody_elses_resources_are_refused() -> None:
    """The same changes on a resource outside the prefix and without the workshop's tag: refused."""
    policy = load_policy()
    calls, _ = scan()
    untagged = {"aws:tagkeys": []}
    allowed = []
    for action, resource, ctx in (e for entries in needed(calls).values() for e in entries):
        verb = action.split(":")[1]
        if resource == "*" or verb.startswith(("Get", "List", "Describe", "BatchGet")) or verb == "GET":
            continue
        if action == "iam:CreateServiceLinkedRole":
            continue  # AWS's own role for RDS, the same for everyone in the account
        if action.startswith("apigateway:") or "vpc-endpoint" in resource or "db-proxy" in resource:
            other = resource  # generated ids: only the tag tells them apart
        else:
            other = resource.replace("sas-", "team-")
        # Somebody else's request: no workshop tags, another function's mapping, not part of our CreateVpcEndpoint.
        other_ctx = {
            k: (v.replace("sas-", "team-") if isinstance(v, str) else v)
            for k, v in ctx.items()
            if not k.startswith(("aws:resourcetag", "aws:requesttag")) and k != "ec2:createaction"
        }
        if decide(policy, action, other, {**other_ctx, **untagged}) is Decision.ALLOW:
            allowed.append(f"{action} on {other}")
    assert not allowed, f"the policy lets the learner change resources that are not the workshop's: {allowed}"


def test_roles_are_passed_and_policies_attached_only_as_the_workshop_does() -> None:
    policy = load_policy()
    role = f"arn:aws:iam::{ACCOUNT}:role/sas-demo"
    assert decide(policy, "iam:PassRole", role, {"iam:passedtoservice": "ec2.amazonaws.com"}) is not Decision.ALLOW
    assert decide(policy, "iam:PassRole", role, {}) is not Decision.ALLOW
    admin = {"iam:policyarn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    assert decide(policy, "iam:AttachRolePolicy", role, admin) is not Decision.ALLOW
    network = {"aws:calledvia": []}
    assert decide(policy, "ec2:CreateVpc", "*", network) is not Decision.ALLOW, "VPCs only through the stack"


def test_the_policy_is_well_formed_and_fits_one_roles_inline_policies() -> None:
    policy = load_policy()
    assert policy["Version"] == "2012-10-17"
    allowed_keys = {"Sid", "Effect", "Action", "Resource", "Condition"}
    for statement in policy["Statement"]:
        assert set(statement) <= allowed_keys, f"{statement.get('Sid')}: IAM rejects {set(statement) - allowed_keys}"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in a for a in actions), f"{statement['Sid']}: no action wildcards"
    assert len({s["Sid"] for s in policy["Statement"]}) == len(policy["Statement"])
    size = len("".join(json.dumps(policy).split()))
    assert size <= INLINE_POLICY_LIMIT, f"{size} characters; a role's inline policies may have {INLINE_POLICY_LIMIT}"


def test_the_role_template_carries_the_policy_as_written() -> None:
    template = yaml.load(ROLE_TEMPLATE.read_text(), Loader=_CfnLoader)
    role = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    documents = [p["PolicyDocument"] for p in role["Properties"]["Policies"]]
    assert documents == [load_policy()], "aws/learner-role.yaml embeds aws/learner-policy.json (make it anew)"


def test_the_role_template_creates_the_boundary_as_written() -> None:
    template = yaml.load(ROLE_TEMPLATE.read_text(), Loader=_CfnLoader)
    boundary = template["Resources"]["WorkshopBoundary"]
    assert boundary["Type"] == "AWS::IAM::ManagedPolicy"
    assert boundary["Properties"]["ManagedPolicyName"] == "sas-workshop-boundary" == BOUNDARY_ARN.rsplit("/", 1)[1]
    assert boundary["Properties"]["PolicyDocument"] == load_boundary(), "aws/learner-role.yaml embeds the boundary"


def test_sas_roles_are_created_and_changed_only_under_the_workshop_boundary() -> None:
    """The privilege escalation a boundary closes: a sas- role with any policy, passed to a function."""
    policy = load_policy()
    role = f"arn:aws:iam::{ACCOUNT}:role/sas-demo"
    basic = {"iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
    others = [
        {},  # no boundary: CreateRole without PermissionsBoundary, or a role that has none
        {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/my-own-boundary"},
        {"iam:PermissionsBoundary": "arn:aws:iam::210987654321:policy/sas-workshop-boundary"},  # another account's
    ]
    for action in sorted(SETS_BOUNDARY | KEEPS_BOUNDARY):
        for keys in others:
            ctx = context(action, role, **basic, **keys)
            assert decide(policy, action, role, ctx) is not Decision.ALLOW, f"{action} with {keys or 'no boundary'}"
        bounded = context(action, role, **basic, **{"iam:PermissionsBoundary": BOUNDARY_ARN})
        assert decide(policy, action, role, bounded) is Decision.ALLOW, f"{action} under the workshop's boundary"


def test_the_boundary_can_be_neither_removed_nor_changed() -> None:
    policy = load_policy()
    role = f"arn:aws:iam::{ACCOUNT}:role/sas-demo"
    bounded = context("iam:DeleteRolePermissionsBoundary", role, **{"iam:PermissionsBoundary": BOUNDARY_ARN})
    assert decide(policy, "iam:DeleteRolePermissionsBoundary", role, bounded) is Decision.EXPLICIT_DENY
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion",
                   "iam:DeletePolicy"):  # fmt: skip
        assert decide(policy, action, BOUNDARY_ARN, context(action, BOUNDARY_ARN)) is Decision.EXPLICIT_DENY, action
    for service, operation in ADMIN_ONLY:  # creating it is the stack's (or an administrator's) job
        action = iam_action(service, operation)
        assert decide(policy, action, BOUNDARY_ARN, context(action, BOUNDARY_ARN)) is not Decision.ALLOW


def _managed_policy_actions() -> dict[str, list[str]]:
    """The actions of each AWS managed policy the helpers attach, from the documents pocketcloud also uses."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    documents = json.loads(aws_managed_policies_data)
    found = {}
    for arn in policy_arns_attached_by_helpers():
        statements = documents[arn.rsplit("/", 1)[1]]["Document"]["Statement"]
        found[arn] = [a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    return found


def test_the_boundary_allows_what_the_workshops_functions_and_proxy_do() -> None:
    """Every AWS call in lambda_code/, the inline policies' actions (the same calls, and the proxy's secret
    read) and every action of the managed policies the helpers attach, on sas- resources; not on others."""
    boundary = load_boundary()
    calls, ambiguous = scan((ROOT / "lambda_code",))
    assert not ambiguous and {(c.service, c.operation) for c in calls} >= {("secretsmanager", "GetSecretValue")}
    wanted = {iam_action(c.service, c.operation) for c in calls} | {"sns:Publish", "secretsmanager:GetSecretValue"}
    wanted |= {a for actions in _managed_policy_actions().values() for a in actions}
    refused, outside = [], []
    for action in sorted(wanted):
        resource = sample_resource(action)
        if decide(boundary, action, resource, context(action, resource)) is not Decision.ALLOW:
            refused.append(f"{action} on {resource}")
        other = resource.replace("sas-", "team-")
        if other != resource and decide(boundary, action, other, context(action, other)) is Decision.ALLOW:
            outside.append(f"{action} on {other}")
    assert not refused, "aws/workshop-boundary.json refuses what a workshop role needs:\n" + "\n".join(refused)
    assert not outside, f"the boundary allows more than the workshop's resources: {outside}"
    # Secrets Manager decrypts a secret with the caller's KMS permission: only through Secrets Manager.
    via = {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f5e0a3c-1111-2222-3333-444455556666"
    assert decide(boundary, "kms:Decrypt", key, context("kms:Decrypt", key, **via)) is Decision.ALLOW
    assert decide(boundary, "kms:Decrypt", key, context("kms:Decrypt", key)) is not Decision.ALLOW


def test_the_boundary_caps_what_a_role_could_be_given() -> None:
    boundary = load_boundary()
    for action, resource in [
        ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/sas-demo"),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/sas-demo"),
        ("sqs:ListQueues", "*"),
        ("s3:ListAllMyBuckets", "*"),
        ("s3:PutObject", "arn:aws:s3:::sas-demo/key"),
        ("secretsmanager:PutSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:sas-demo-AbCdEf"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sas-demo"),
        ("rds:DeleteDBInstance", f"arn:aws:rds:{REGION}:{ACCOUNT}:db:sas-demo"),
    ]:
        assert decide(boundary, action, resource, context(action, resource)) is not Decision.ALLOW, action
    for statement in boundary["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert statement["Effect"] == "Allow" and all("*" not in a for a in actions), statement["Sid"]
