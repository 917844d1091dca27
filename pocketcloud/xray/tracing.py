"""Trace headers, ids and the sampling decision."""

from __future__ import annotations

import dataclasses
import random
import threading
import time

from ..ids import hex_id


def new_trace_id() -> str:
    return f"1-{int(time.time()):08x}-{hex_id(24)}"


def new_segment_id() -> str:
    return hex_id(16)


@dataclasses.dataclass
class TraceContext:
    """What an ``X-Amzn-Trace-Id`` header carries.

    >>> TraceContext("1-5f84c7a1-0123456789abcdef01234567", "53995c3f42cd8ad8", True).header()
    'Root=1-5f84c7a1-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1'
    """

    trace_id: str
    parent_id: str | None
    sampled: bool | None

    def header(self, parent_id: str | None = None) -> str:
        text = "Root=" + self.trace_id
        parent = parent_id or self.parent_id
        if parent:
            text += ";Parent=" + parent
        if self.sampled is not None:
            text += ";Sampled=1" if self.sampled else ";Sampled=0"
        return text

    @classmethod
    def parse(cls, header: str | None) -> TraceContext | None:
        if not header:
            return None
        fields: dict[str, str] = {}
        for part in header.split(";"):
            key, _, value = part.strip().partition("=")
            if key:
                fields[key] = value
        if "Root" not in fields:
            return None
        sampled = {"1": True, "0": False}.get(fields.get("Sampled", ""))
        return cls(fields["Root"], fields.get("Parent"), sampled)


class Sampler:
    """The default rule: the first request each second, then 5 % of the rest (or every request)."""

    def __init__(self, sample_all: bool = False, reservoir_per_second: int = 1, fixed_rate: float = 0.05) -> None:
        self.sample_all = sample_all
        self.reservoir = reservoir_per_second
        self.rate = fixed_rate
        self._second = 0
        self._used = 0
        self._lock = threading.Lock()

    def decide(self) -> bool:
        if self.sample_all:
            return True
        with self._lock:
            now = int(time.time())
            if now != self._second:
                self._second, self._used = now, 0
            if self._used < self.reservoir:
                self._used += 1
                return True
        return random.random() < self.rate
