"""What traffic a VPC lets through, read from moto's EC2 state: security groups, route tables, NAT gateways, endpoints.

Every function here reads moto's models and must run under the moto lock. Each check names the AWS rule
it implements. Where AWS's answer depends on something pocketcloud does not model (which of a function's
subnets an execution environment lands in), the check asks for the answer to hold everywhere, so that
what passes here passes on AWS:

- a CIDR rule admits a source only if it holds every subnet the source may use;
- a function reaches the internet only if every one of its subnets routes 0.0.0.0/0 to a NAT gateway.

Example::

    network = Network(ec2_backend, region)
    verdict = network.db_instance(instance, network.function_placement(fn.vpc_config))
    verdict.admitted, verdict.reason
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

HTTPS = 443
MYSQL = 3306


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where network interfaces sit: a VPC, the subnets they may be in and the security groups they carry."""

    vpc_id: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Verdict:
    admitted: bool
    reason: str


ADMITTED = Verdict(True, "admitted")


class Network:
    """A view of one region's EC2 state (moto's backend), for reachability questions."""

    def __init__(self, ec2: Any, region: str) -> None:
        self.ec2 = ec2
        self.region = region

    # -- placements ------------------------------------------------------------------------------------
    def function_placement(self, vpc_config: dict[str, Any] | None) -> Placement | None:
        """A function's VpcConfig as a placement; None for a function outside any VPC (AWS: a function without
        subnets runs in Lambda's own network, with internet access and no access to a VPC)."""
        subnets = tuple((vpc_config or {}).get("SubnetIds") or ())
        if not subnets:
            return None
        groups = tuple((vpc_config or {}).get("SecurityGroupIds") or ())
        return Placement(self._vpc_of(subnets), subnets, groups)

    def db_instance_placement(self, instance: Any) -> Placement:
        """A DB instance sits in its DB subnet group's subnets; without one, in the default VPC's default subnets
        (RDS: "If you don't specify a DB subnet group, the default VPC's default DB subnet group is used")."""
        group = getattr(instance, "db_subnet_group", None)
        members = getattr(group, "_subnets", None)  # moto's DBSubnetGroup keeps the Subnet models there
        if members:
            subnets = tuple(subnet.id for subnet in members)
            vpc_id = str(members[0].vpc_id)
        else:
            vpc_id = str(self.ec2.default_vpc.id)
            subnets = tuple(s.id for s in self.ec2.describe_subnets() if s.vpc_id == vpc_id and s.default_for_az)
        return Placement(vpc_id, subnets, self._groups_in(vpc_id, instance.vpc_security_group_ids))

    def proxy_placement(self, proxy: Any) -> Placement:
        subnets = tuple(proxy.vpc_subnet_ids or ())
        vpc_id = str(getattr(proxy, "vpc_id", None) or self._vpc_of(subnets))
        return Placement(vpc_id, subnets, self._groups_in(vpc_id, proxy.vpc_security_group_ids))

    def endpoint_placement(self, endpoint: Any) -> Placement:
        return Placement(
            str(endpoint.vpc_id),
            tuple(endpoint.subnet_ids or ()),
            self._groups_in(str(endpoint.vpc_id), endpoint.security_group_ids),
        )

    def _vpc_of(self, subnet_ids: Sequence[str]) -> str:
        for subnet in self._subnets(subnet_ids):
            return str(subnet.vpc_id)
        return ""

    def _groups_in(self, vpc_id: str, group_ids: Iterable[str] | None) -> tuple[str, ...]:
        """The resource's security groups; with none of its VPC among them, that VPC's default group (AWS gives a
        resource created without security groups its VPC's default group; moto may pick the default VPC's)."""
        ids = tuple(group_ids or ())
        if any(self._group_vpc(g) == vpc_id for g in ids):
            return ids
        default = self.ec2.get_default_security_group(vpc_id) if vpc_id in self.ec2.vpcs else None
        return (default.id,) if default is not None else ids

    def _group_vpc(self, group_id: str) -> str | None:
        group = self.ec2.get_security_group_from_id(group_id)
        return None if group is None else group.vpc_id

    def _subnets(self, subnet_ids: Iterable[str]) -> list[Any]:
        found = []
        for subnet_id in subnet_ids:
            for subnets in self.ec2.subnets.values():
                if subnet_id in subnets:
                    found.append(subnets[subnet_id])
                    break
        return found

    def _cidrs(self, subnet_ids: Sequence[str]) -> list[ipaddress.IPv4Network] | None:
        """The subnets' CIDR blocks; None when one of them no longer exists (nothing can be said to hold it)."""
        subnets = self._subnets(subnet_ids)
        if len(subnets) != len(subnet_ids) or not subnets:
            return None
        return [ipaddress.ip_network(subnet.cidr_block, strict=False) for subnet in subnets]  # type: ignore[misc]

    # -- security groups -------------------------------------------------------------------------------
    def admits(self, target: Placement, port: int, source: Placement) -> bool:
        """Whether one of ``target``'s security groups has an inbound rule for TCP ``port`` whose source is one
        of ``source``'s security groups, or a CIDR holding every subnet of ``source``.

        VPC user guide, "Security group rules": a rule's source may be a CIDR range or a security group, "the
        security group ... allows traffic from the elastic network interfaces associated with the referenced
        security group"; when several groups are associated with a resource, their rules are aggregated.
        """
        return self._any_rule(target.security_group_ids, "ingress_rules", port, source)

    def lets_out(self, source: Placement, port: int, target: Placement) -> bool:
        """Whether one of ``source``'s security groups has an outbound rule for TCP ``port`` to one of
        ``target``'s groups or to a CIDR holding every subnet of ``target`` (security groups are stateful and
        check both ends: an outbound rule on the sender, an inbound rule on the receiver; a new group has an
        outbound rule allowing everything)."""
        return self._any_rule(source.security_group_ids, "egress_rules", port, target)

    def _any_rule(self, group_ids: Iterable[str], rules: str, port: int, other: Placement) -> bool:
        cidrs = self._cidrs(other.subnet_ids)
        for group_id in group_ids:
            group = self.ec2.get_security_group_from_id(group_id)
            for rule in getattr(group, rules, ()) if group is not None else ():
                if not _covers_tcp_port(rule, port):
                    continue
                if rule.source_group.get("GroupId") in other.security_group_ids:
                    return True
                cidr = rule.ip_range.get("CidrIp")
                if cidr and cidrs is not None and _holds_all(cidr, cidrs):
                    return True
        return False

    def admits_the_internet(self, target: Placement, port: int) -> bool:
        """Whether an inbound rule for TCP ``port`` has a CIDR with public addresses in it (0.0.0.0/0 or a public
        range): traffic from the internet arrives from addresses nobody in the workshop controls."""
        for group_id in target.security_group_ids:
            group = self.ec2.get_security_group_from_id(group_id)
            for rule in group.ingress_rules if group is not None else ():
                cidr = rule.ip_range.get("CidrIp")
                if cidr and _covers_tcp_port(rule, port) and not ipaddress.ip_network(cidr, strict=False).is_private:
                    return True
        return False

    def lets_out_to_the_internet(self, source: Placement, port: int) -> bool:
        for group_id in source.security_group_ids:
            group = self.ec2.get_security_group_from_id(group_id)
            for rule in group.egress_rules if group is not None else ():
                cidr = rule.ip_range.get("CidrIp")
                if cidr and _covers_tcp_port(rule, port) and ipaddress.ip_network(cidr, strict=False).prefixlen == 0:
                    return True
        return False

    # -- routes ------------------------------------------------------------------------------------------
    def has_internet(self, source: Placement) -> bool:
        """Whether every subnet of ``source`` routes 0.0.0.0/0 to an available NAT gateway that itself sits in a
        subnet routing 0.0.0.0/0 to an internet gateway.

        Lambda developer guide, "Enable internet access for VPC-connected Lambda functions": a function in a VPC
        has no internet access, even in a public subnet; its subnets' route tables must send outbound traffic
        to a NAT gateway in a public subnet (one with a route to an internet gateway).
        """
        if not source.subnet_ids:
            return False
        for subnet_id in source.subnet_ids:
            table = self._route_table(subnet_id, source.vpc_id)
            nat = _default_route(table, "nat_gateway") if table is not None else None
            if nat is None or getattr(nat, "state", "available") != "available":
                return False
            nat_table = self._route_table(nat.subnet_id, source.vpc_id)
            gateway = _default_route(nat_table, "gateway") if nat_table is not None else None
            if gateway is None or not str(getattr(gateway, "id", "")).startswith("igw-"):
                return False
        return True

    def _route_table(self, subnet_id: str, vpc_id: str) -> Any:
        """The subnet's route table: the one explicitly associated with it, else its VPC's main route table
        (VPC user guide, "Subnet route tables")."""
        main = None
        for table in self.ec2.route_tables.values():
            if table.vpc_id != vpc_id:
                continue
            if subnet_id in table._associations.values():
                return table
            if table.main_association_id is not None:
                main = table
        return main

    # -- VPC endpoints -----------------------------------------------------------------------------------
    def endpoint_for(self, source: Placement, service: str) -> Verdict:
        """Whether ``source`` reaches ``service``'s API through a VPC endpoint of its VPC.

        PrivateLink guide, "Access an AWS service using an interface VPC endpoint": with private DNS the service's
        default DNS name resolves to the endpoint's network interfaces, whose security groups "must allow
        inbound HTTPS (port 443) traffic from the resources in the VPC"; the endpoint is usable once `available`.
        A gateway endpoint (S3, DynamoDB) works through the route tables it is associated with.
        """
        name = f"com.amazonaws.{self.region}.{service}"
        seen = ""
        for endpoint in self.ec2.vpc_end_points.values():
            if endpoint.vpc_id != source.vpc_id or endpoint.service_name != name:
                continue
            kind = str(endpoint.vpc_endpoint_type or "Gateway").lower()
            state = str(endpoint.state).lower()
            if state != "available":
                seen = f"its {service} endpoint {endpoint.id} is {state}"
                continue
            if kind == "gateway":
                tables = {self._route_table(s, source.vpc_id) for s in source.subnet_ids}
                if tables and all(t is not None and t.id in (endpoint.route_table_ids or ()) for t in tables):
                    return ADMITTED
                seen = f"its {service} gateway endpoint {endpoint.id} is not in the function's route tables"
                continue
            if endpoint.private_dns_enabled is False:  # AWS's default for AWS services is on
                seen = f"its {service} endpoint {endpoint.id} has private DNS off"
                continue
            placement = self.endpoint_placement(endpoint)
            if not self.admits(placement, HTTPS, source):
                seen = f"the security groups of its {service} endpoint {endpoint.id} admit no HTTPS from the function"
                continue
            if not self.lets_out(source, HTTPS, placement):
                seen = f"the function's security groups let no HTTPS out to its {service} endpoint {endpoint.id}"
                continue
            return ADMITTED
        return Verdict(False, seen or f"the VPC has no NAT gateway route and no {service} endpoint")

    # -- the questions the data planes ask ---------------------------------------------------------------
    def api(self, source: Placement, service: str) -> Verdict:
        """May a function placed at ``source`` call ``service``'s API (NAT gateway, or a VPC endpoint)?"""
        if self.has_internet(source) and self.lets_out_to_the_internet(source, HTTPS):
            return ADMITTED
        return self.endpoint_for(source, service)

    def reaches(self, source: Placement, target: Placement, port: int, what: str) -> Verdict:
        """TCP from ``source`` to ``target`` inside a VPC: the same VPC (pocketcloud has no peering), an outbound
        rule on the source and an inbound rule on the target."""
        if source.vpc_id != target.vpc_id:
            return Verdict(False, f"{what} is in {target.vpc_id}, the caller in {source.vpc_id or 'no VPC'}")
        if not self.admits(target, port, source):
            return Verdict(False, f"no inbound rule of {what}'s security groups admits TCP {port} from the caller")
        if not self.lets_out(source, port, target):
            return Verdict(False, f"no outbound rule of the caller's security groups lets TCP {port} out to {what}")
        return ADMITTED

    def db_instance(self, instance: Any, port: int, source: Placement | None) -> Verdict:
        """A DB instance: from inside its VPC through security groups; from outside only when it is publicly
        accessible and a rule admits internet addresses (RDS: "PubliclyAccessible ... if false, the DB instance
        is reachable only from inside its VPC"; a Lambda function outside a VPC reaches the internet only)."""
        target = self.db_instance_placement(instance)
        what = f"DB instance {instance.db_instance_identifier}"
        if source is not None and source.vpc_id == target.vpc_id:
            return self.reaches(source, target, port, what)
        if source is not None and not self.has_internet(source):
            return Verdict(False, f"{what} is in another VPC and the caller's subnets have no NAT gateway route")
        if not instance.publicly_accessible:
            return Verdict(False, f"{what} is not publicly accessible and the caller is not in its VPC")
        if not self.admits_the_internet(target, port):
            return Verdict(False, f"no inbound rule of {what}'s security groups admits TCP {port} from the internet")
        return ADMITTED

    def db_proxy(self, proxy: Any, source: Placement | None) -> Verdict:
        """An RDS Proxy is reachable only from inside its VPC (RDS Proxy guide: "you can't log into the proxy
        unless you're in the same VPC"), through its security groups."""
        what = f"DB proxy {proxy.db_proxy_name}"
        if source is None:
            return Verdict(False, f"{what} is reachable only from inside its VPC; the function is in no VPC")
        return self.reaches(source, self.proxy_placement(proxy), MYSQL, what)

    def proxy_to_instance(self, proxy: Any, instance: Any, port: int) -> Verdict:
        """Can a proxy open connections to its target? (RDS Proxy guide, "Setting up network prerequisites": the
        DB instance's security groups must admit the proxy's, on the database port.)"""
        source = self.proxy_placement(proxy)
        return self.reaches(
            source, self.db_instance_placement(instance), port, f"DB instance {instance.db_instance_identifier}"
        )


def _covers_tcp_port(rule: Any, port: int) -> bool:
    if rule.ip_protocol == "-1":
        return True
    if rule.ip_protocol != "tcp" or rule.from_port is None or rule.to_port is None:
        return False
    return int(rule.from_port) <= port <= int(rule.to_port)


def _holds_all(cidr: str, subnets: list[ipaddress.IPv4Network]) -> bool:
    try:
        block = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return all(subnet.version == block.version and subnet.subnet_of(block) for subnet in subnets)


def _default_route(table: Any, attribute: str) -> Any:
    """What ``table``'s 0.0.0.0/0 route points at through ``attribute`` (nat_gateway, gateway), or None."""
    for route in table.routes:
        if route.destination_cidr_block == "0.0.0.0/0":
            return getattr(route, attribute, None)
    return None
