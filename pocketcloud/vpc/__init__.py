"""VPC networking: Lambda's network interfaces, and what security groups, routes and endpoints let through."""

from .service import VpcService

__all__ = ["VpcService"]
