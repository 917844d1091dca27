"""run_load_test drives real Locust against a real loopback HTTP server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import numpy as np
import pytest
from aiohttp import web

from helpers.measure.loadtest import per_second, run_load_test, summary


@pytest.fixture(scope="module")
def target_url() -> Iterator[str]:
    ready = threading.Event()
    state: dict = {}

    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    def serve() -> None:
        loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_get("/", ok)
        app.router.add_get("/broken", broken)
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        state["port"] = site._server.sockets[0].getsockname()[1]
        state["loop"] = loop
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield f"http://127.0.0.1:{state['port']}"
    state["loop"].call_soon_threadsafe(state["loop"].stop)


def test_load_test_returns_per_second_history_and_final_stats(target_url: str) -> None:
    result = run_load_test(target_url, users=3, spawn_rate=3, duration=4, progress=False)
    assert result.request_count >= 1 and result.failure_count == 0
    assert result.history["requests"].iloc[-1] <= result.request_count, "the history ends at most at the total"
    assert len(result.history) >= 3
    assert result.history["requests"].is_monotonic_increasing
    assert result.history["requests_per_s"].max() > 0
    assert {"p50_ms", "p95_ms", "users"} <= set(result.history.columns)


def test_failed_calls_are_counted_with_their_message(target_url: str) -> None:
    result = run_load_test(target_url, users=2, spawn_rate=2, duration=3, paths=["/", "/broken"], progress=False)
    by_path = result.stats.set_index("Name")
    assert by_path.loc["/broken", "Failure Count"] == by_path.loc["/broken", "Request Count"] > 0
    assert by_path.loc["/", "Failure Count"] == 0
    assert result.failures["Error"].str.contains("HTTP 500").all()


def test_a_constant_arrival_rate_spaces_the_calls_evenly(target_url: str) -> None:
    rate = 40
    result = run_load_test(target_url, rate=rate, duration=4, users=20, progress=False)
    starts = np.sort(result.calls["start"].to_numpy())
    gaps = np.diff(starts)
    # Evenly spaced: every gap near 1/rate (a closed loop of users pausing after each answer bunches calls).
    assert len(starts) >= 2 * rate, f"only {len(starts)} calls"
    assert np.median(gaps) == pytest.approx(1 / rate, rel=0.2)
    assert gaps.std() / gaps.mean() < 0.5, f"arrivals are bunched: gaps {np.percentile(gaps, [10, 50, 90])}"
    seconds = per_second(result)
    assert (seconds["sent"] == seconds["succeeded"] + seconds["failed"]).all()
    assert seconds["failed"].sum() == 0 and summary(result)["failed"] == 0


def test_an_opening_wave_arrives_at_one_instant_before_the_schedule(target_url: str) -> None:
    rate, opening = 20, 8
    result = run_load_test(target_url, rate=rate, duration=3, users=20, opening=opening, progress=False)
    starts = np.sort(result.calls["start"].to_numpy())
    wave = starts[:opening]
    assert wave.max() - wave.min() < 1 / rate, f"the opening calls spread over {wave.max() - wave.min():.3f} s"
    after = np.diff(starts[opening:])
    assert np.median(after) == pytest.approx(1 / rate, rel=0.25), "then the schedule goes on evenly spaced"
    with pytest.raises(ValueError):
        run_load_test(target_url, rate=rate, duration=3, users=4, opening=5, progress=False)


def test_the_call_log_times_refused_calls_apart(target_url: str) -> None:
    result = run_load_test(target_url, rate=20, duration=3, users=10, paths=["/", "/broken"], progress=False)
    assert set(result.calls["status"]) == {200, 500}
    numbers = summary(result)
    assert numbers["failed"] == int((result.calls["status"] == 500).sum()) > 0
    assert numbers["succeeded"] + numbers["failed"] == numbers["requests"] == len(result.calls)
    seconds = per_second(result)
    assert seconds["failed"].sum() == numbers["failed"] and seconds["p50_failed_ms"].notna().any()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        run_load_test("http://127.0.0.1:9", users=0, duration=5)
    with pytest.raises(ValueError):
        run_load_test("http://127.0.0.1:9", rate=-1, duration=5)
