"""EC2's DependencyViolation, raised inside moto's request handling so that moto answers it as EC2 does (HTTP 400)."""

from __future__ import annotations


def subnet_in_use(subnet_id: str) -> Exception:
    """DeleteSubnet on a subnet that network interfaces still sit in, worded as EC2 words it."""
    from moto.ec2.exceptions import DependencyViolationError

    return DependencyViolationError(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")


def security_group_in_use(group_id: str) -> Exception:
    """DeleteSecurityGroup on a group that network interfaces still carry, worded as EC2 words it."""
    from moto.ec2.exceptions import DependencyViolationError

    return DependencyViolationError(f"resource {group_id} has a dependent object")
