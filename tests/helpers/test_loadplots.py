"""helpers.views.loadtests on real (short) Locust runs against a loopback HTTP server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pandas as pd
import pytest
from aiohttp import web

from helpers import views
from helpers.measure.loadtest import LoadTestResult, run_load_test


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, LoadTestResult]]:
    ready = threading.Event()
    state: dict = {}

    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def flaky(request: web.Request) -> web.Response:
        state["n"] = state.get("n", 0) + 1
        return web.Response(status=429 if state["n"] % 2 else 200, text="slow down")

    def serve() -> None:
        loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_get("/", ok)
        app.router.add_get("/flaky", flaky)
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        state["port"], state["loop"] = site._server.sockets[0].getsockname()[1], loop
        ready.set()
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    assert ready.wait(10)
    url = f"http://127.0.0.1:{state['port']}"
    yield {
        "good": run_load_test(url, users=2, spawn_rate=2, duration=3, progress=False),
        "flaky": run_load_test(url, users=2, spawn_rate=2, duration=3, paths=["/flaky"], wait_s=0.01, progress=False),
    }
    state["loop"].call_soon_threadsafe(state["loop"].stop)


def test_summary_table_has_a_row_per_run(runs: dict[str, LoadTestResult]) -> None:
    table = views.loadtests.summary_table(runs)
    assert list(table.index) == ["good", "flaky"]
    assert table.loc["good", "failed"] == 0 and table.loc["good", "requests"] > 10
    assert 30 <= table.loc["flaky", "failure_pct"] <= 70
    assert table.loc["good", "p95_ok_ms"] >= table.loc["good", "p50_ok_ms"] > 0
    assert table.loc["flaky", "succeeded"] == table.loc["flaky", "requests"] - table.loc["flaky", "failed"]
    assert table.loc["good", "p50_failed_ms"] == 0 < table.loc["flaky", "p50_failed_ms"], "refusals timed apart"


def test_compare_figure_has_panels_per_measure_and_a_line_per_run(runs: dict[str, LoadTestResult]) -> None:
    fig = views.loadtests.compare_figure(runs, "Two runs")
    assert fig.layout.title.text == "Two runs"
    assert len(fig.data) == 2 * len(views.loadtests.PANELS)
    assert {trace.name for trace in fig.data} == {"good", "flaky"}
    assert fig.layout.yaxis.title.text == "succeeded (requests/s)"
    assert max(fig.data[0].y) > 0  # the good run succeeds every second it runs
    assert fig.layout.xaxis4.title.text.endswith("(s)")
    single = views.loadtests.history_figure(runs["good"], "One run")
    assert len(single.data) == len(views.loadtests.PANELS) and not any(t.showlegend for t in single.data)


def test_latency_box_figure() -> None:
    frame = pd.DataFrame({"setup": ["a", "a", "b"], "latency_ms": [1.0, 2.0, 30.0]})
    fig = views.latency.latency_box_figure(frame, group="setup", title="t", y_title="latency (ms)")
    assert fig.layout.yaxis.title.text == "latency (ms)" and len(fig.data) == 2
