"""The local inbox that SNS email and email-json subscriptions deliver to."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any


@dataclasses.dataclass
class Email:
    to: str
    subject: str
    body: str
    topic_arn: str
    subscription_arn: str
    kind: str  # "confirmation" or "notification"
    timestamp: float = dataclasses.field(default_factory=time.time)


class Mailbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._emails: list[Email] = []

    def deliver(self, email: Email) -> None:
        with self._lock:
            self._emails.append(email)

    def list(self, to: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dataclasses.asdict(e) for e in self._emails if to is None or e.to == to]
