"""The warm-up before a burst (helpers.measure.warmup) leaves as many environments waiting as the burst needs,
on a real pocketcloud whose Lambda adds new environments at a limited rate (the scaling rate, 10 per 10 s)."""

from __future__ import annotations

import pocketcloud
from helpers.measure import invocations, warmup

from .conftest import workshop_on
from .test_invocations_live import _function

# More than the scaling rate's bucket (10): a burst this large cannot find all its environments at once.
CALLS = 14
HELD = {"sleep": 2}  # long enough for every call of a round to overlap


def test_after_the_warm_up_a_burst_runs_every_call_at_once_on_a_waiting_environment(
    cloud: pocketcloud.Cloud,
) -> None:
    name = _function(cloud)
    with workshop_on(cloud, "wu-") as ws:
        lam = ws.client("lambda", retries=False)  # a throttle shows as a 429, not a retried call
        done = warmup.start_environments(lam, name, CALLS, HELD, timeout_s=120)
        burst = invocations.burst(lambda: invocations.timed_invoke(lam, name, HELD), count=CALLS)
    assert done.ready and done.rounds >= 2, f"the first round could not have found {CALLS} environments: {done}"
    assert done.cold_starts >= CALLS and done.throttled > 0, done
    assert not burst["throttled"].any(), f"{int(burst['throttled'].sum())} calls of the burst were throttled"
    assert not burst["cold"].any(), f"{int(burst['cold'].sum())} calls of the burst had to start an environment"
    assert (burst["status"] == 200).all() and burst["error"].isna().all()


def test_a_quick_warm_up_leaves_fewer_environments_than_the_burst_needs(cloud: pocketcloud.Cloud) -> None:
    """Why the warm-up holds its calls: quick calls hand their environments on, so a burst after them has to
    start (or is refused) the environments it lacks."""
    name = _function(cloud)
    with workshop_on(cloud, "wu-") as ws:
        lam = ws.client("lambda", retries=False)
        invocations.burst(lambda: invocations.timed_invoke(lam, name, {}), count=CALLS)
        burst = invocations.burst(lambda: invocations.timed_invoke(lam, name, HELD), count=CALLS)
    assert (burst["cold"] | burst["throttled"]).any(), "a quick warm-up was enough: the held warm-up is not needed"
