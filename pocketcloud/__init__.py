"""pocketcloud: an AWS on 127.0.0.1 whose data planes really run.

moto serves the control plane; pocketcloud runs Lambda code under the AWS runtime interface
client, API Gateway invoke URLs, MariaDB for RDS, a MySQL-protocol RDS Proxy and an X-Ray daemon.

Example::

    import pocketcloud

    with pocketcloud.running() as cloud:
        s3 = cloud.client("s3")
        s3.create_bucket(Bucket="demo")
"""

from .client import Cloud, attach, running, start, stop
from .settings import Settings

__all__ = ["Cloud", "Settings", "attach", "running", "start", "stop"]
