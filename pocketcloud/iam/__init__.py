"""IAM for what functions may do: execution-role credentials checked at the edge, trust and role checks on
CreateFunction, and IAM's propagation delay."""

from .service import IamService

__all__ = ["IamService"]
