"""Lambda's network interfaces in VPC subnets: one per subnet and security-group set, shared by every function
(and version) that uses the set, kept a while after the last one stops using it.

Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC": Lambda creates a
Hyperplane ENI for each unique combination of subnet and security groups in the function's VpcConfig when the
function is created or its VPC settings change, and shares it among functions with the same combination; the
ENI is deleted some time after no function uses it any more (AWS: up to about 20 minutes; here
``lambda_eni_release_seconds``). Until then the subnet and the security groups cannot be deleted
(DependencyViolation). The interface is requester-managed, of type ``lambda``, described as
``AWS Lambda VPC ENI-<function>-<uuid>`` after the function that first needed it.

Everything here runs under the moto lock: :meth:`LambdaInterfaces.reconcile` from moto's Lambda request
(hooks in ``moto_hooks.py``), :meth:`LambdaInterfaces.release_due` from the service's timer.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from .placement import has_free_address

# A subnet and the security groups of the functions that use it.
Combination = tuple[str, frozenset[str]]


class LambdaInterfaces:
    def __init__(self, release_seconds: float, wake: Callable[[float], None]) -> None:
        self.release_seconds = release_seconds
        self._wake = wake  # asks for release_due() in that many seconds (the service's timer)
        self.interfaces: dict[tuple[str, str, Combination], str] = {}  # (account, region, combination) -> ENI id
        self.releasing: dict[tuple[str, str, Combination], float] = {}  # -> monotonic time it goes

    def reconcile(self, storage: Any, ec2: Any) -> set[Combination]:
        """Create the interfaces ``storage``'s functions need, and start the release clock of the ones no function
        (no version) needs any more. ``storage`` is moto's LambdaStorage, ``ec2`` the EC2 backend of its region.

        Returns the combinations whose interface could not be made because the subnet has no free address.
        """
        account, region = ec2.account_id, ec2.region_name
        wanted = dict(_combinations(storage))
        full: set[Combination] = set()
        for combination, function in wanted.items():
            key = (account, region, combination)
            self.releasing.pop(key, None)
            eni_id = self.interfaces.get(key)
            if eni_id is None or eni_id not in ec2.enis:
                created = _create(ec2, combination, function)
                if created is _FULL:
                    full.add(combination)
                elif created is not None:
                    self.interfaces[key] = created
        now = time.monotonic()
        for key in list(self.interfaces):
            if key[:2] == (account, region) and key[2] not in wanted and key not in self.releasing:
                self.releasing[key] = now + self.release_seconds
                self._wake(self.release_seconds)
        return full

    def release_due(self, ec2_of: Callable[[str, str], Any]) -> float | None:
        """Delete the interfaces whose release time has come; returns the seconds until the next one, if any."""
        now = time.monotonic()
        for key, due in list(self.releasing.items()):
            if due <= now:
                del self.releasing[key]
                eni_id = self.interfaces.pop(key, None)
                if eni_id is not None:
                    ec2_of(key[0], key[1]).enis.pop(eni_id, None)
        return min(self.releasing.values(), default=now) - now if self.releasing else None

    def status(self) -> dict[str, Any]:
        return {
            "lambda_interfaces": len(self.interfaces),
            "releasing": {eni: round(max(0.0, due - time.monotonic()), 1) for key, due in self.releasing.items()
                          if (eni := self.interfaces.get(key))},
        }  # fmt: skip


def combinations_of(fn: Any) -> set[Combination]:
    """The (subnet, security groups) combinations one function (moto's LambdaFunction) uses."""
    config = getattr(fn, "_vpc_config", None) or {}
    groups = frozenset(config.get("SecurityGroupIds") or ())
    return {(subnet_id, groups) for subnet_id in config.get("SubnetIds") or ()}


def _combinations(storage: Any) -> Iterator[tuple[Combination, str]]:
    """Every (subnet, security groups) a function or version of ``storage`` uses, with the function's name."""
    for group in list(storage._functions.values()):
        for fn in [group.get("latest"), *group.get("versions", [])]:
            for combination in sorted(combinations_of(fn), key=lambda c: (c[0], sorted(c[1]))):
                yield combination, fn.function_name


_FULL = "no free address"


def _create(ec2: Any, combination: Combination, function: str) -> str | None:
    """The new interface's id; None when the subnet is unknown, ``_FULL`` when it has no free address."""
    subnet_id, group_ids = combination
    try:
        subnet = ec2.get_subnet(subnet_id)
    except Exception:  # moto's InvalidSubnetIdError: nothing to attach to
        return None
    if not has_free_address(subnet):
        return _FULL
    known = [g for g in sorted(group_ids) if ec2.get_security_group_from_id(g) is not None]
    eni = ec2.create_network_interface(
        subnet, None, group_ids=known, description=f"AWS Lambda VPC ENI-{function}-{uuid.uuid4()}"
    )
    eni.interface_type = "lambda"
    eni.requester_managed = True
    eni.status = "in-use"
    return str(eni.id)
