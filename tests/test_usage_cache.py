"""The shared usage cache: one file per account, private, corrupt files shrugged off, one lock."""

from __future__ import annotations

import asyncio
import stat
import threading
import time
from datetime import timedelta

from tui import paths
from tui.clock import ManualClock
from tui.sources.oauth.cache import CacheEntry, UsageCache


def entry(clock, **kw):
    base = dict(
        payload={"five_hour": {"utilization": 10.0, "resets_at": None}},
        fetched_at=clock.now(),
        next_allowed_at=clock.now() + timedelta(seconds=300),
        backoff_step=2,
        last_attempt_at=clock.now(),
        last_status=200,
    )
    base.update(kw)
    return CacheEntry(**base)


def test_round_trip_in_the_cache_folder_with_private_mode(isolated_paths):
    clock = ManualClock()
    cache = UsageCache("abcd1234abcd1234", clock=clock)
    assert cache.read() is None
    e = entry(clock)
    assert cache.write(e)
    assert cache.path == paths.usage_cache_file("abcd1234abcd1234")
    assert cache.path.parent == isolated_paths.cache
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert cache.read() == e


def test_corrupt_or_foreign_cache_is_ignored_and_rewritten(isolated_paths):
    clock = ManualClock()
    cache = UsageCache("k", clock=clock)
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    for junk in ("{not json", "[]", '{"version": 99}', "\x00\x01"):
        cache.path.write_text(junk)
        assert cache.read() is None
    e = entry(clock)
    assert cache.write(e)
    assert cache.read() == e


def test_bad_fields_fall_back_to_safe_values(isolated_paths):
    clock = ManualClock()
    cache = UsageCache("k", clock=clock)
    cache.path.write_text(
        '{"version": 1, "payload": {"a": 1}, "fetched_at": "yesterday", '
        '"next_allowed_at": "2026-04-14T09:00:00", "backoff_step": "x", "last_status": true}'
    )
    got = cache.read()
    assert got is not None
    assert got.payload == {"a": 1}
    assert got.fetched_at is None and got.next_allowed_at is None  # naive times are not trusted
    assert got.backoff_step == 0 and got.last_status is None


def test_unwritable_cache_folder_is_not_a_crash(isolated_paths, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setattr(paths, "cache_dir", lambda: blocker / "sub")
    cache = UsageCache("k", clock=ManualClock())
    assert cache.write(entry(ManualClock())) is False
    assert cache.read() is None


def test_lock_makes_a_second_holder_wait(isolated_paths):
    """Two caches of one account (as in two processes): the second waits for the first."""
    clock = ManualClock()
    order: list[str] = []
    first_inside = threading.Event()

    async def first():
        async with UsageCache("acct", clock=clock).locked():
            order.append("first in")
            first_inside.set()
            await asyncio.sleep(0.2)  # the first process is calling the endpoint
            order.append("first out")

    async def second():
        first_inside.wait(5)
        async with UsageCache("acct", clock=clock).locked():
            order.append("second in")

    t1 = threading.Thread(target=lambda: asyncio.run(first()))
    t2 = threading.Thread(target=lambda: asyncio.run(second()))
    t1.start()
    t2.start()
    t1.join(10)
    t2.join(10)
    assert order == ["first in", "first out", "second in"]


def test_lock_timeout_lets_the_body_run_anyway(isolated_paths):
    clock = ManualClock()
    holder = UsageCache("acct", clock=clock)
    handle = holder._acquire_blocking()
    try:
        waiter = UsageCache("acct", clock=clock, lock_timeout=0.1)
        started = time.monotonic()

        async def go():
            async with waiter.locked() as current:
                return current

        assert asyncio.run(go()) is None
        assert time.monotonic() - started < 2
    finally:
        UsageCache._release(handle)
