"""Service graph (GetServiceGraph / GetTraceGraph) computed from stored segments.

Nodes are the services segments name (by ``origin``), inferred downstream services from
subsegments with ``namespace`` "aws" or "remote" (an ``sql`` block makes it a SQL database), and a
``client`` node in front of every root segment.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any

from .store import Trace, walk

NodeKey = tuple[str, str | None]


@dataclasses.dataclass
class Stats:
    ok: int = 0
    errors: int = 0
    throttles: int = 0
    faults: int = 0
    total_time: float = 0.0
    times: list[float] = dataclasses.field(default_factory=list)
    start: float = float("inf")
    end: float = 0.0

    def add(self, doc: dict[str, Any]) -> None:
        start, end = doc.get("start_time", 0.0), doc.get("end_time", doc.get("start_time", 0.0))
        duration = max(0.0, end - start)
        self.start, self.end = min(self.start, start), max(self.end, end)
        self.times.append(duration)
        self.total_time += duration
        if doc.get("fault"):
            self.faults += 1
        elif doc.get("throttle"):
            self.throttles += 1
        elif doc.get("error"):
            self.errors += 1
        else:
            self.ok += 1

    def summary(self) -> dict[str, Any]:
        return {
            "OkCount": self.ok,
            "ErrorStatistics": {
                "ThrottleCount": self.throttles,
                "OtherCount": self.errors,
                "TotalCount": self.errors + self.throttles,
            },
            "FaultStatistics": {"OtherCount": self.faults, "TotalCount": self.faults},
            "TotalCount": len(self.times),
            "TotalResponseTime": round(self.total_time, 6),
        }

    def histogram(self) -> list[dict[str, Any]]:
        counts = collections.Counter(_bucket(t) for t in self.times)
        return [{"Value": value, "Count": count} for value, count in sorted(counts.items())]


def _bucket(seconds: float) -> float:
    """Two significant digits, as the X-Ray console's histograms group response times."""
    if seconds <= 0:
        return 0.0
    return float(f"{seconds:.2g}")


# How the X-Ray SDK names boto3 subsegments (the client's service name) -> the service's own name.
AWS_NAMES = {
    "s3": "S3",
    "secretsmanager": "SecretsManager",
    "dynamodb": "DynamoDB",
    "sqs": "SQS",
    "sns": "SNS",
    "lambda": "Lambda",
    "rds": "RDS",
    "sts": "STS",
    "cloudwatch": "CloudWatch",
}


def _downstream(sub: dict[str, Any]) -> NodeKey | None:
    namespace = sub.get("namespace")
    if namespace == "aws":
        name = AWS_NAMES.get(sub["name"].lower(), sub["name"])
        return name, f"AWS::{name}"
    if namespace == "remote":
        return sub["name"], "Database::SQL" if "sql" in sub else "remote"
    return None


def service_graph(traces: list[Trace], account_id: str) -> list[dict[str, Any]]:
    nodes: dict[NodeKey, Stats] = collections.defaultdict(Stats)
    edges: dict[tuple[NodeKey, NodeKey], Stats] = collections.defaultdict(Stats)
    roots: set[NodeKey] = set()
    for trace in traces:
        owner: dict[str, NodeKey] = {}
        for segment in trace.segments.values():
            key: NodeKey = (segment["name"], segment.get("origin"))
            for doc in walk(segment):
                owner[doc["id"]] = key
        for segment in trace.segments.values():
            key = owner[segment["id"]]
            nodes[key].add(segment)
            parent = owner.get(segment.get("parent_id") or "")
            if parent is None:
                roots.add(key)
                edges[(("client", "client"), key)].add(segment)
            elif parent != key:
                edges[(parent, key)].add(segment)
            for sub in walk(segment):
                target = _downstream(sub) if sub is not segment else None
                if target:
                    nodes[target].add(sub)
                    edges[(key, target)].add(sub)
    if roots:
        nodes[("client", "client")]
    ids = {key: number for number, key in enumerate(sorted(nodes, key=lambda k: (k[1] != "client", k[0], k[1] or "")))}
    services = []
    for key, stats in nodes.items():
        name, kind = key
        service: dict[str, Any] = {
            "ReferenceId": ids[key],
            "Name": name,
            "Names": [name],
            "Root": key in roots,
            "AccountId": account_id if kind != "client" else None,
            "State": "active" if kind != "client" else "unknown",
            "Edges": [],
        }
        if kind:
            service["Type"] = kind
        if stats.times:
            service.update(
                StartTime=stats.start,
                EndTime=stats.end,
                SummaryStatistics=stats.summary(),
                DurationHistogram=stats.histogram(),
                ResponseTimeHistogram=stats.histogram(),
            )
        for (source, target), edge in edges.items():
            if source == key:
                service["Edges"].append(
                    {
                        "ReferenceId": ids[target],
                        "StartTime": edge.start,
                        "EndTime": edge.end,
                        "SummaryStatistics": edge.summary(),
                        "ResponseTimeHistogram": edge.histogram(),
                        "Aliases": [],
                    }
                )
        if service["AccountId"] is None:
            del service["AccountId"]
        services.append(service)
    return sorted(services, key=lambda s: s["ReferenceId"])


def trace_summary(trace: Trace) -> dict[str, Any]:
    docs = [d for seg in trace.segments.values() for d in walk(seg)]
    roots = [s for s in trace.segments.values() if not s.get("parent_id")] or list(trace.segments.values())
    entry = min(roots, key=lambda s: s["start_time"])
    http = entry.get("http", {})
    request, response = http.get("request", {}), http.get("response", {})
    services = {(s["name"], s.get("origin")) for s in trace.segments.values()}
    annotations: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        for key, value in (doc.get("annotations") or {}).items():
            annotations.setdefault(key, []).append({"AnnotationValue": _annotation(value)})
    duration = round(trace.end - trace.start, 6)
    return {
        "Id": trace.id,
        "StartTime": trace.start,
        "Duration": duration,
        "ResponseTime": round(entry.get("end_time", entry["start_time"]) - entry["start_time"], 6),
        "HasFault": any(d.get("fault") for d in docs),
        "HasError": any(d.get("error") for d in docs),
        "HasThrottle": any(d.get("throttle") for d in docs),
        "IsPartial": not trace.complete,
        "Http": {
            "HttpURL": request.get("url"),
            "HttpStatus": response.get("status"),
            "HttpMethod": request.get("method"),
            "UserAgent": request.get("user_agent"),
            "ClientIp": request.get("client_ip"),
        },
        "Annotations": annotations,
        "Users": [],
        "ServiceIds": [{"Name": name, "Names": [name], "Type": kind} for name, kind in sorted(services, key=str)],
        "EntryPoint": {"Name": entry["name"], "Names": [entry["name"]], "Type": entry.get("origin")},
    }


def _annotation(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, int | float):
        return {"NumberValue": value}
    return {"StringValue": str(value)}
