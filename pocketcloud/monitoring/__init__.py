"""CloudWatch Logs and metrics written by pocketcloud's data planes into moto's backends."""

from .logs import LogWriter
from .metrics import MetricRecorder

__all__ = ["LogWriter", "MetricRecorder"]
