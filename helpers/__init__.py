"""The workshop toolkit: every console click of the workshop as one call, in layers.

``session`` (the target, clients, names) <- ``aws`` (thin boto3 wrappers, the one waiting helper)
<- ``measure`` (numbers and frames) and ``views`` (figures and tables) <- ``modules`` (one file per
workshop module). Imports point down only. Every notebook starts the same way::

    import helpers
    from helpers import aws, measure, views
    from helpers.modules import m1_first_lambda as m1

    ws = helpers.connect()

>>> import helpers
>>> helpers.Workshop("local", "us-east-1", "123456789012").name("db", "time")
'sas-db-time'
"""

from .session import CheckpointFailed, Workshop, connect

__all__ = ["CheckpointFailed", "Workshop", "connect"]
