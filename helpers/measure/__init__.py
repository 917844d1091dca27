"""What the notebooks measure: invocations, Locust load tests, CloudWatch metrics, X-Ray traces, prices, capacity.

Measurement code computes numbers and frames; ``helpers.views`` draws them.

>>> from helpers import measure
>>> measure.capacity.capacity_plan(100, duration_ms=50).concurrency
5
>>> measure.metrics.lambda_queries("sas-db-time")[0].metric
'ConcurrentExecutions'
"""

from . import capacity, inflight, invocations, loadtest, metrics, prices, traces

__all__ = ["capacity", "inflight", "invocations", "loadtest", "metrics", "prices", "traces"]
