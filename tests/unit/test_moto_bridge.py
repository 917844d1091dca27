"""MotoBridge: where calls into moto run."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref

from pocketcloud.monitoring import LogWriter
from pocketcloud.moto_bridge import MotoBridge


def test_batched_writes_run_on_the_loop_thread_while_moto_is_free() -> None:
    bridge = MotoBridge("123456789012", "us-east-1", threads=2)

    async def main() -> int:
        return await bridge.run_here_if_free(threading.get_ident)

    try:
        assert asyncio.run(main()) == threading.get_ident()
    finally:
        bridge.shutdown()


def test_batched_writes_wait_on_a_worker_while_a_request_holds_moto() -> None:
    bridge = MotoBridge("123456789012", "us-east-1", threads=2)
    held, release = threading.Event(), threading.Event()

    def busy_request() -> None:
        with bridge.lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=busy_request)
    holder.start()
    held.wait(10)

    async def main() -> tuple[int, bool]:
        write = asyncio.ensure_future(bridge.run_here_if_free(threading.get_ident))
        await asyncio.sleep(0.05)
        finished_while_held = write.done()  # the loop kept running instead of blocking on the lock
        release.set()
        return await write, finished_while_held

    try:
        thread_id, finished_while_held = asyncio.run(main())
        assert not finished_while_held
        assert thread_id not in (threading.get_ident(), holder.ident)
    finally:
        release.set()
        holder.join(10)
        bridge.shutdown()


def test_what_a_user_deletes_is_freed() -> None:
    """moto lists every model instance it makes; a deleted log group's streams and events must go."""
    bridge = MotoBridge("123456789012", "ap-south-2", threads=1)
    writer = LogWriter(bridge)
    group, stream = "/aws/lambda/short-lived", "2026/12/01/[$LATEST]b"

    async def main() -> None:
        await writer.put(group, stream, [f"line {n}" for n in range(50)])

    try:
        asyncio.run(main())
        backend = bridge.backend("logs")
        events = backend.groups[group].streams[stream].events
        assert [e.message for e in events[:2]] == ["line 0", "line 1"]
        kept = [weakref.ref(e) for e in events] + [weakref.ref(backend.groups[group])]
        del events
        backend.delete_log_group(group)
        gc.collect()
        assert [ref for ref in kept if ref() is not None] == []
    finally:
        bridge.shutdown()
