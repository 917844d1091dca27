"""Hooks into moto's EC2, Lambda and CloudFormation models: network interfaces hold what they sit in, as on AWS.

- Lambda's network interfaces follow functions' VpcConfig (``interfaces.py``), and a function's VpcConfig names
  its real VPC; a subnet in a zone Lambda does not support is refused, and a function whose interface finds no
  free address in its subnet fails (``placement.py``);
- DeleteSubnet and DeleteSecurityGroup answer DependencyViolation while a network interface uses them;
- a VPC's default security group admits traffic from itself, as AWS creates it;
- a stack whose resources fail to delete ends DELETE_FAILED with the reason, instead of vanishing.
"""

from __future__ import annotations

import copy
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..moto_hooks import Target, moto_hook, registry
from . import errors
from .interfaces import Combination, combinations_of
from .placement import OUT_OF_ADDRESSES, OUT_OF_ADDRESSES_REASON, unsupported_zone

if TYPE_CHECKING:
    from .service import VpcService

VPC: Target[VpcService] = Target("vpc")


# -- Lambda's network interfaces --------------------------------------------------------------------------
def _reconcile(storage: Any) -> set[Combination]:
    """Lambda's interfaces made or released for ``storage``'s functions; the combinations left without one
    because their subnet is full."""
    service = VPC.current
    if service is None:
        return set()
    from moto.ec2.models import ec2_backends

    return service.interfaces.reconcile(storage, ec2_backends[storage.account_id][storage.region_name])


def _ec2_of(backend: Any) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[backend.account_id][backend.region_name]


@moto_hook("moto.awslambda.models", "LambdaStorage", "put_function", ("self", "fn"))
def create_interfaces_with_functions(original: Any, models: ModuleType) -> object:
    """CreateFunction with a VpcConfig creates (or shares) the function's network interfaces; a function whose
    interface finds no free address in its subnet fails (``placement.py``)."""

    def put_function(self: Any, fn: Any) -> None:
        original(self, fn)
        if _reconcile(self) & combinations_of(fn):
            fn.pocketcloud_failure = (OUT_OF_ADDRESSES, OUT_OF_ADDRESSES_REASON, "create")

    return put_function


@moto_hook("moto.awslambda.models", "LambdaBackend", "create_function", ("self", "spec"))
def refuse_unsupported_zones_on_create(original: Any, models: ModuleType) -> object:
    """CreateFunction with a subnet in a zone Lambda does not support: InvalidParameterValueException."""

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        _refuse_zones(self, (spec.get("VpcConfig") or {}).get("SubnetIds") or [])
        return original(self, spec)

    return create_function


@moto_hook(
    "moto.awslambda.models",
    "LambdaBackend",
    "update_function_configuration",
    ("self", "function_name", "qualifier", "body"),
)
def refuse_unsupported_zones_on_update(original: Any, models: ModuleType) -> object:
    """UpdateFunctionConfiguration to a subnet in a zone Lambda does not support: InvalidParameterValueException."""

    def update_function_configuration(self: Any, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
        _refuse_zones(self, (body.get("VpcConfig") or {}).get("SubnetIds") or [])
        return original(self, function_name, qualifier, body)

    return update_function_configuration


def _refuse_zones(backend: Any, subnet_ids: list[str]) -> None:
    if VPC.current is None or not subnet_ids:
        return
    refusal = unsupported_zone(_ec2_of(backend), subnet_ids)
    if refusal is not None:
        from moto.awslambda.exceptions import InvalidParameterValueException

        raise InvalidParameterValueException(refusal)


@moto_hook("moto.awslambda.models", "LambdaStorage", "publish_version", ("self", "name_or_arn", "description"))
def keep_interfaces_for_versions(original: Any, models: ModuleType) -> object:
    """A published version keeps the VpcConfig it was published with, and the interfaces it needs."""

    def publish_version(self: Any, name_or_arn: str, description: str = "") -> Any:
        version = original(self, name_or_arn, description)
        _reconcile(self)
        return version

    return publish_version


@moto_hook("moto.awslambda.models", "LambdaStorage", "del_function", ("self", "name_or_arn", "qualifier"))
def release_interfaces_of_deleted_functions(original: Any, models: ModuleType) -> object:
    """Deleting a function (or a version) starts the release clock of interfaces nothing else uses."""

    def del_function(self: Any, name_or_arn: str, qualifier: str | None = None) -> None:
        original(self, name_or_arn, qualifier)
        _reconcile(self)

    return del_function


@moto_hook("moto.awslambda.models", "LambdaFunction", "update_configuration", ("self", "config_updates"))
def follow_vpc_config_changes(original: Any, models: ModuleType) -> object:
    """UpdateFunctionConfiguration with a new VpcConfig creates the new interfaces and releases unused ones; when a
    new interface finds no free address in its subnet, the update fails and the previous VpcConfig stays."""

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        before = copy.deepcopy(getattr(self, "_vpc_config", None))
        answer = original(self, config_updates)
        if "VpcConfig" in config_updates:
            storage = models.lambda_backends[self.account_id][self.region]._lambdas
            if _reconcile(storage) & combinations_of(self):
                # The update fails and the previous VpcConfig stays ("Lambda function states": Failed update).
                self._vpc_config = before
                _reconcile(storage)
                self.pocketcloud_failure = (OUT_OF_ADDRESSES, OUT_OF_ADDRESSES_REASON, "update")
            else:
                self.pocketcloud_failure = None
        return answer

    return update_configuration


@moto_hook("moto.awslambda.models", "LambdaFunction", "vpc_config", ("self",))
def name_the_functions_vpc(original: property, models: ModuleType) -> object:
    """VpcConfig.VpcId is the VPC of the function's subnets (moto answers a fixed vpc-123abc)."""
    moto_config = original.fget
    assert moto_config is not None

    def vpc_config(self: Any) -> dict[str, Any] | None:
        config: dict[str, Any] | None = moto_config(self)
        subnets = (config or {}).get("SubnetIds") or []
        if config is not None and subnets:
            from moto.ec2.models import ec2_backends

            ec2 = ec2_backends[self.account_id][self.region]
            for subnet_id in subnets:
                try:
                    config["VpcId"] = ec2.get_subnet(subnet_id).vpc_id
                    break
                except Exception:  # moto's InvalidSubnetIdError: a subnet deleted meanwhile
                    continue
        return config

    return property(vpc_config)


# -- what network interfaces hold -------------------------------------------------------------------------
@moto_hook("moto.ec2.models.subnets", "SubnetBackend", "delete_subnet", ("self", "subnet_id"))
def keep_subnets_that_hold_interfaces(original: Any, subnets: ModuleType) -> object:
    """EC2 API reference, DeleteSubnet: "You must terminate all running instances in the subnet before you can
    delete the subnet"; any network interface in it (Lambda's, a VPC endpoint's) makes it DependencyViolation."""

    def delete_subnet(self: Any, subnet_id: str) -> Any:
        if any(getattr(eni.subnet, "id", None) == subnet_id for eni in list(self.enis.values())):
            raise errors.subnet_in_use(subnet_id)
        return original(self, subnet_id)

    return delete_subnet


@moto_hook(
    "moto.ec2.models.security_groups", "SecurityGroupBackend", "delete_security_group", ("self", "name", "group_id")
)
def keep_security_groups_that_interfaces_carry(original: Any, security_groups: ModuleType) -> object:
    """EC2 API reference, DeleteSecurityGroup: a group associated with a network interface cannot be deleted
    ("If you attempt to delete a security group that is associated with an instance or network interface ...
    the operation fails with DependencyViolation")."""

    def delete_security_group(self: Any, name: str | None = None, group_id: str | None = None) -> None:
        group = self.get_security_group_by_name_or_id(group_id or name or "")
        if group is not None and any(group in eni._group_set for eni in list(self.enis.values())):
            raise errors.security_group_in_use(group.id)
        original(self, name, group_id)

    return delete_security_group


@moto_hook(
    "moto.ec2.models.vpcs",
    "VPCBackend",
    "create_vpc",
    (
        "self",
        "cidr_block",
        "instance_tenancy",
        "amazon_provided_ipv6_cidr_block",
        "ipv6_cidr_block_network_border_group",
        "tags",
        "is_default",
    ),
)
def give_default_groups_their_rule(original: Any, vpcs: ModuleType) -> object:
    """VPC user guide, "Default security groups for your VPCs": the default group's inbound rule allows all
    traffic from network interfaces assigned to the same group (moto creates it without rules)."""

    def create_vpc(self: Any, *args: Any, **kwargs: Any) -> Any:
        vpc = original(self, *args, **kwargs)
        group = self.get_default_security_group(vpc.id)
        if group is not None and not group.ingress_rules:
            from moto.ec2.models.security_groups import SecurityGroupRule

            rule = SecurityGroupRule(
                self,
                "-1",
                group.id,
                None,
                None,
                None,
                {"GroupId": group.id, "UserId": self.account_id},
                is_egress=False,
            )
            group.ingress_rules.append(rule)
        return vpc

    return create_vpc


# -- CloudFormation -----------------------------------------------------------------------------------------
@moto_hook("moto.cloudformation.models", "CloudFormationBackend", "delete_stack", ("self", "name_or_stack_id"))
def fail_stack_deletions_as_aws_does(original: Any, models: ModuleType) -> object:
    """A resource that cannot be deleted (a subnet Lambda's interfaces still hold) leaves the stack DELETE_FAILED,
    with the resources that remain, as CloudFormation does ("DELETE_FAILED: The following resource(s) failed to
    delete: [...]"); a later DeleteStack tries again. moto raised the resource's error from DeleteStack and
    forgot the stack."""

    def delete_stack(self: Any, name_or_stack_id: str) -> None:
        stack = self.stacks.get(name_or_stack_id) or next(
            (s for s in list(self.stacks.values()) if s.name == name_or_stack_id), None
        )
        try:
            original(self, name_or_stack_id)
        except Exception as exc:
            if stack is None:
                raise
            _mark_delete_failed(self, stack, exc, models)

    return delete_stack


@moto_hook(
    "moto.cloudformation.parsing", "ResourceMap", "_delete_resource", ("self", "parsed_resource", "resource_json")
)
def remember_why_resources_fail_to_delete(original: Any, parsing: ModuleType) -> object:
    """Each resource's own deletion error, for its DELETE_FAILED event (moto keeps only the last one)."""

    def _delete_resource(self: Any, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
        try:
            original(self, parsed_resource, resource_json)
        except Exception as exc:
            errors = self.__dict__.setdefault("pocketcloud_delete_errors", {})
            errors[getattr(parsed_resource, "logical_resource_id", None)] = exc
            raise

    return _delete_resource


def _mark_delete_failed(backend: Any, stack: Any, exc: Exception, models: ModuleType) -> None:
    backend.stacks[stack.stack_id] = stack
    backend.deleted_stacks.pop(stack.stack_id, None)
    resources = stack.resource_map
    failed = sorted(
        logical_id
        for logical_id, definition in resources._resource_json_map.items()
        if definition.get("DeletionPolicy") != "Retain"
        and not isinstance(resources._parsed_resources.get(logical_id, ""), str)
    )
    own_errors = resources.__dict__.pop("pocketcloud_delete_errors", {})
    for logical_id in failed:
        resource = resources._parsed_resources[logical_id]
        error = own_errors.get(logical_id, exc)
        message = getattr(error, "message", None) or str(error)
        event = models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=getattr(resource, "physical_resource_id", None),
            resource_type=resources._resource_json_map[logical_id].get("Type"),
            resource_status="DELETE_FAILED",
            resource_status_reason=f"{message} (Service: Ec2, Status Code: 400)",
            resource_properties=None,
        )
        stack.events.append(event)
    reason = f"The following resource(s) failed to delete: [{', '.join(failed)}]. "
    stack._add_stack_event("DELETE_FAILED", resource_status_reason=reason)
    stack.status = "DELETE_FAILED"
    stack.status_reason = reason  # StackStatusReason


# -- VPC endpoint states ----------------------------------------------------------------------------------
@moto_hook(
    "moto.ec2.models.vpcs",
    "VPCBackend",
    "create_vpc_endpoint",
    (
        "self",
        "vpc_id",
        "service_name",
        "endpoint_type",
        "policy_document",
        "route_table_ids",
        "subnet_ids",
        "network_interface_ids",
        "dns_entries",
        "client_token",
        "security_group_ids",
        "tags",
        "private_dns_enabled",
    ),
)
def start_interface_endpoints_pending(original: Any, vpcs: ModuleType) -> object:
    """A new interface endpoint is `pending` for ``vpc_endpoint_pending_seconds`` before `available` (AWS: its
    network interfaces take a minute or two; the PrivateLink guide, "Access an AWS service using an interface VPC
    endpoint": the endpoint is usable once its state is available). Gateway endpoints are available at once."""

    class PendingVpcEndpoint(vpcs.VPCEndPoint):  # type: ignore[misc, name-defined]
        """moto's endpoint, whose state reads `pending` until its time is up."""

        @property
        def state(self) -> str:
            if time.monotonic() < self.__dict__.get("pocketcloud_available_at", 0.0):
                return "pending"
            return str(self.__dict__.get("state", "available"))

        @state.setter
        def state(self, value: str) -> None:
            self.__dict__["state"] = value
            self.__dict__["pocketcloud_available_at"] = 0.0  # a later change (deleted) ends the wait

    def create_vpc_endpoint(self: Any, *args: Any, **kwargs: Any) -> Any:
        endpoint = original(self, *args, **kwargs)
        service = VPC.current
        if service is not None and str(endpoint.vpc_endpoint_type or "").lower() == "interface":
            delay = service.server.settings.vpc_endpoint_pending_seconds
            endpoint.pocketcloud_available_at = time.monotonic() + delay
            endpoint.__class__ = PendingVpcEndpoint
        return endpoint

    return create_vpc_endpoint


HOOKS = (
    start_interface_endpoints_pending,
    create_interfaces_with_functions,
    refuse_unsupported_zones_on_create,
    refuse_unsupported_zones_on_update,
    keep_interfaces_for_versions,
    release_interfaces_of_deleted_functions,
    follow_vpc_config_changes,
    name_the_functions_vpc,
    keep_subnets_that_hold_interfaces,
    keep_security_groups_that_interfaces_carry,
    give_default_groups_their_rule,
    fail_stack_deletions_as_aws_does,
    remember_why_resources_fail_to_delete,
)


def install(service: VpcService) -> None:
    """Route moto's Lambda and EC2 changes to ``service``; the latest server's wins."""
    VPC.serve(service)
    registry.register(HOOKS)
