"""The shared usage cache: one file per account, private, corrupt files shrugged off, one lock."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
import time
from datetime import timedelta

from tui import paths
from tui.clock import ManualClock
from tui.sources.oauth import cache as cache_module
from tui.sources.oauth.cache import EMPTY, CacheEntry, UsageCache, sharing_problem, trusted


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


def test_lock_still_busy_after_the_wait_says_so_within_the_timeout(isolated_paths):
    """Another process is calling: the waiter gives up after its timeout and learns it is busy
    (so it answers from the cache instead of calling too)."""
    clock = ManualClock()
    holder = UsageCache("acct", clock=clock)
    handle, busy = holder._acquire_blocking()
    assert handle is not None and not busy
    try:
        waiter = UsageCache("acct", clock=clock, lock_timeout=0.1)
        waiter.write(entry(clock))
        started = time.monotonic()

        async def go():
            async with waiter.locked() as held:
                return held

        held = asyncio.run(go())
        assert held.busy
        assert held.entry == entry(clock)  # the cached answer comes along
        assert time.monotonic() - started < 2
    finally:
        UsageCache._release(handle)


def test_the_default_wait_for_the_lock_fits_the_status_budget():
    assert 1 <= cache_module.LOCK_TIMEOUT_SECONDS <= 5
    assert UsageCache("k", clock=ManualClock()).lock_timeout == cache_module.LOCK_TIMEOUT_SECONDS


def test_a_lock_held_for_minutes_is_abandoned_and_the_body_runs(isolated_paths):
    """A holder stopped mid-call (suspended, stuck) must not stop updates for good."""
    clock = ManualClock()
    holder = UsageCache("acct", clock=clock)
    handle, _ = holder._acquire_blocking()
    try:
        old = time.time() - cache_module.STUCK_LOCK_SECONDS - 10
        os.utime(holder.lock_path, (old, old))
        waiter = UsageCache("acct", clock=clock, lock_timeout=0.1)

        async def go():
            async with waiter.locked() as held:
                return held

        assert asyncio.run(go()).busy is False
    finally:
        UsageCache._release(handle)


def test_unwritable_folder_is_named_by_the_cache_and_by_sharing_problem(
    isolated_paths, monkeypatch, tmp_path
):
    assert sharing_problem() is None
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setattr(paths, "cache_dir", lambda: blocker / "sub")
    problem = sharing_problem()
    assert problem is not None
    assert str(blocker / "sub") in problem and "cannot share usage answers" in problem
    cache = UsageCache("k", clock=ManualClock())
    assert cache.problem is None
    assert cache.write(entry(ManualClock())) is False
    assert cache.problem is not None and "cannot be written" in cache.problem


def test_times_from_the_future_are_not_trusted():
    clock = ManualClock()
    now = clock.now()
    year = timedelta(days=365)
    # a wait a year ahead (the clock jumped back, or an old version obeyed Retry-After: 1e9)
    e = entry(clock, next_allowed_at=now + year)
    assert trusted(e, now, 300).next_allowed_at is None
    assert trusted(e, now, 300).payload == e.payload  # the values themselves are still good
    # a fetch dated in the future: the values have no age, the entry is nothing
    assert trusted(entry(clock, fetched_at=now + year), now, 300) == EMPTY
    # ordinary entries pass unchanged
    normal = entry(clock, next_allowed_at=now + timedelta(minutes=30))
    assert trusted(normal, now, 300) == normal
