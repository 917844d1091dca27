"""The workshop's load test: virtual users calling the API as fast as it answers.

``run_load_test`` starts Locust with this file; settings arrive as environment variables so the
same file serves every module. ``LOADTEST_PATHS`` is a comma-separated list of paths to call
(default ``/``); ``LOADTEST_WAIT`` the pause in seconds between one user's calls (default 0).
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, constant, task

_PATHS = [p.strip() or "/" for p in os.environ.get("LOADTEST_PATHS", "/").split(",")]


class ApiUser(HttpUser):
    wait_time = constant(float(os.environ.get("LOADTEST_WAIT", "0")))

    @task
    def call_api(self) -> None:
        path = random.choice(_PATHS)
        # Name every call after the path so the statistics stay one row per path.
        with self.client.get(path, name=path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:120]}")
