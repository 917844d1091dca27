"""RDS data plane: each DB instance is a real MariaDB/MySQL server on a loopback port."""

from .service import RdsService

__all__ = ["RdsService"]
