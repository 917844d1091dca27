"""Events: S3 notifications and SNS subscriptions run Lambda for real; SNS email lands in a local mailbox."""

from .service import EventsService

__all__ = ["EventsService"]
