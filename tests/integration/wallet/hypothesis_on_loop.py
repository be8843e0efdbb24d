"""Running an async hypothesis test inside a pytest-asyncio test, on that test's loop
(where the service's engine and HTTP client live)."""

from __future__ import annotations

import asyncio


async def run_on_this_loop(test) -> None:
    """Hypothesis calls the test synchronously (in a thread here); each example runs as a
    coroutine on this test's loop, where the service's engine and client live."""
    loop = asyncio.get_running_loop()
    inner = test.hypothesis.inner_test

    def sync(**kwargs):
        return asyncio.run_coroutine_threadsafe(inner(**kwargs), loop).result()

    test.hypothesis.inner_test = sync
    await asyncio.to_thread(test)
