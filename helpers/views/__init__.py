"""Every figure and table the notebooks show; measurement code hands them numbers and frames.

>>> from helpers import views
>>> views.latency.concurrency_figure({"v3": 20.0}, max_requests_per_s=100).layout.yaxis.title.text
'concurrent executions (environments)'
>>> views.tables.mask("hunter22")
'•••••••• (8 characters)'
"""

from . import diagrams, latency, loadtests, metrics, tables, traces

__all__ = ["diagrams", "latency", "loadtests", "metrics", "tables", "traces"]
