"""RDS Proxy for MySQL: authentication from Secrets Manager, pooling, multiplexing, pinning."""

from .proxy import DbProxy

__all__ = ["DbProxy"]
