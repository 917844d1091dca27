"""What the notebooks measure: invocations, Locust load tests, CloudWatch metrics, X-Ray traces, prices, capacity.

Measurement code computes numbers and frames; ``helpers.views`` draws them.

>>> from helpers import measure
>>> measure.capacity.capacity_plan(100, duration_ms=50).concurrency
5
>>> measure.metrics.lambda_queries("sas-db-time")[0].metric
'ConcurrentExecutions'
"""

from . import capacity, churn, inflight, invocations, loadtest, metrics, prices, traces, warmup

__all__ = ["capacity", "churn", "inflight", "invocations", "loadtest", "metrics", "prices", "traces", "warmup"]
