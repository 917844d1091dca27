"""Where Lambda can place a VPC function's network interfaces: zones it supports, subnets with free addresses.

- Zones: Lambda refuses CreateFunction / UpdateFunctionConfiguration whose VpcConfig names a subnet in a zone
  it does not run in, with ``InvalidParameterValueException`` (400) "The provided subnets contain availability
  zone Lambda doesn't support. Please use a different set of subnets." (the answer reported from us-east-1's
  use1-az3, where RDS Proxy is documented not to run either: RDS User Guide, "Limitations for RDS Proxy").
  Zone ids, not names, are the same place in every account, so the rule is by id.
- Addresses: every network interface takes one address of its subnet, of which AWS keeps 5 per subnet (a /28
  has 11 usable). When Lambda cannot create a function's Hyperplane interface for lack of an address, the
  function fails: ``State: Failed`` after CreateFunction, ``LastUpdateStatus: Failed`` after an update of its
  VpcConfig (whose previous configuration stays), reason code ``SubnetOutOfIPAddresses`` ("Lambda function
  states"; the reason's text is that of Lambda's SubnetIPAddressLimitReachedException). An interface shared by
  the same subnet and security groups takes no new address.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

LAMBDA_UNSUPPORTED_ZONE_IDS = frozenset({"use1-az3"})
UNSUPPORTED_ZONE = (
    "The provided subnets contain availability zone Lambda doesn't support. Please use a different set of subnets."
)
OUT_OF_ADDRESSES = "SubnetOutOfIPAddresses"
OUT_OF_ADDRESSES_REASON = (
    "Lambda couldn't set up VPC access for the Lambda function because one or more configured subnets has no "
    "available IP addresses."
)


def unsupported_zone(ec2: Any, subnet_ids: Iterable[str]) -> str | None:
    """Lambda's refusal when one of ``subnet_ids`` (in ``ec2``, moto's EC2 backend) is in a zone Lambda does not
    support, else None. Unknown subnets are left to moto's own check."""
    for subnet_id in subnet_ids:
        try:
            zone_id = ec2.get_subnet(subnet_id).availability_zone_id
        except Exception:  # moto's InvalidSubnetIdError
            continue
        if zone_id in LAMBDA_UNSUPPORTED_ZONE_IDS:
            return UNSUPPORTED_ZONE
    return None


def has_free_address(subnet: Any) -> bool:
    """Whether one more network interface fits in ``subnet`` (moto counts AWS's 5 reserved addresses and every
    interface's private addresses in ``available_ip_address_count``)."""
    return int(subnet.available_ip_address_count) > 0
