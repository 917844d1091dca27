"""Segments by trace, with independently sent subsegments merged under their parents."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any


class BadSegment(ValueError):
    pass


def validate(doc: dict[str, Any]) -> None:
    for key in ("id", "trace_id"):
        if not doc.get(key):
            raise BadSegment(f"Missing {key}")
    if doc.get("type") != "subsegment" and not doc.get("name"):
        raise BadSegment("Missing name")
    if "start_time" not in doc:
        raise BadSegment("Missing start_time")
    if "end_time" not in doc and not doc.get("in_progress"):
        raise BadSegment("Missing end_time or in_progress")


def walk(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A document and all its nested subsegments."""
    yield doc
    for sub in doc.get("subsegments", []) or []:
        yield from walk(sub)


class Trace:
    def __init__(self, trace_id: str) -> None:
        self.id = trace_id
        self.segments: dict[str, dict[str, Any]] = {}
        self.pending: list[dict[str, Any]] = []  # subsegments whose parent has not arrived yet

    def add(self, doc: dict[str, Any]) -> None:
        if doc.get("type") == "subsegment":
            self.pending.append(doc)
        else:
            old = self.segments.get(doc["id"])
            if old is not None:  # a finished version of an in-progress segment keeps what was attached
                known = {s["id"] for s in doc.get("subsegments", [])}
                doc.setdefault("subsegments", []).extend(s for s in old.get("subsegments", []) if s["id"] not in known)
            self.segments[doc["id"]] = doc
        self._attach_pending()

    def _attach_pending(self) -> None:
        progress = True
        while progress and self.pending:
            progress = False
            index = {d["id"]: d for seg in self.segments.values() for d in walk(seg)}
            for sub in list(self.pending):
                parent = index.get(sub.get("parent_id", ""))
                if parent is None:
                    continue
                children = parent.setdefault("subsegments", [])
                children[:] = [c for c in children if c["id"] != sub["id"]]
                children.append({k: v for k, v in sub.items() if k not in ("type", "trace_id", "parent_id")})
                self.pending.remove(sub)
                progress = True

    @property
    def start(self) -> float:
        return min((s["start_time"] for s in self.segments.values()), default=0.0)

    @property
    def end(self) -> float:
        return max((s.get("end_time", s["start_time"]) for s in self.segments.values()), default=0.0)

    @property
    def complete(self) -> bool:
        return bool(self.segments) and all("end_time" in s for s in self.segments.values())

    def documents(self) -> list[dict[str, Any]]:
        return [{"Id": seg_id, "Document": json.dumps(doc)} for seg_id, doc in self.segments.items()]


class SegmentStore:
    def __init__(self, max_traces: int = 20000) -> None:
        self.traces: dict[str, Trace] = {}
        self.max_traces = max_traces
        self._lock = threading.Lock()

    def put(self, doc: dict[str, Any]) -> None:
        validate(doc)
        with self._lock:
            trace = self.traces.get(doc["trace_id"])
            if trace is None:
                if len(self.traces) >= self.max_traces:  # bounded memory under long load tests
                    self.traces.pop(next(iter(self.traces)))
                trace = self.traces[doc["trace_id"]] = Trace(doc["trace_id"])
            trace.add(doc)

    def between(self, start: float, end: float) -> list[Trace]:
        with self._lock:
            return [t for t in self.traces.values() if t.segments and start <= t.start <= end]

    def get(self, trace_ids: list[str]) -> tuple[list[Trace], list[str]]:
        with self._lock:
            found = [self.traces[t] for t in trace_ids if t in self.traces and self.traces[t].segments]
        missing = [t for t in trace_ids if t not in {f.id for f in found}]
        return found, missing
