"""Running coroutines with an event loop or, for a warm one-shot command, without one.

asyncio (and ``ssl`` with it) costs a warm ``status`` more than all of its work, so the monitor
and the fleet wait through ``gather`` (``asyncio.gather`` in a loop, each coroutine in turn
without one) and ``status`` drives its poll with ``run_coroutine``.
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine, Generator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop, or None (asyncio is not imported for that: a warm ``status``
    is driven without one, see ``run_coroutine``)."""
    module = sys.modules.get("asyncio")
    if module is None:
        return None
    try:
        loop: asyncio.AbstractEventLoop = module.get_running_loop()
    except RuntimeError:
        return None
    return loop


async def gather(coros: Sequence[Coroutine[Any, Any, T]]) -> list[T]:
    """``asyncio.gather`` in an event loop; without one, each coroutine in turn."""
    if running_loop() is None:
        return [await coro for coro in coros]
    import asyncio

    return list(await asyncio.gather(*coros))


# Before 3.14, a coroutine that first waits outside an event loop (``ensure_future``, as the
# usage cache's lock does) gets a new loop for the thread from the policy, and the rest of it
# can run in that loop; 3.14 refuses to make one.
_DRIVE_WITHOUT_LOOP = sys.version_info < (3, 14)


def _loop_free_possible() -> bool:
    if not _DRIVE_WITHOUT_LOOP or "asyncio" in sys.modules:
        return False  # asyncio is loaded already (nothing to save) and may hold a closed loop
    threading = sys.modules.get("threading")
    if threading is None:
        return True  # no thread was started through threading: this is the main thread
    return bool(threading.current_thread() is threading.main_thread())


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run a one-shot command's poll without starting an event loop while it never waits.

    A warm ``status`` answers every source from a file (the shared usage cache, the status
    line feed), so its poll never waits on anything: it is driven to its end here, and
    asyncio (which imports ``ssl``) is never loaded. When the poll does wait (the cache is
    stale: the lock, then a call) the rest of it runs in the event loop its first wait was
    made in, so nothing is done twice. Only the usage source's path may wait this way: a
    source that needs the running loop before its first wait (the probe, admin reports) is
    run with ``asyncio.run`` by its command. Where none of this holds, ``asyncio.run``.
    """
    if not _loop_free_possible():
        import asyncio

        return asyncio.run(coro)
    try:
        yielded = coro.send(None)
        while yielded is None:  # a bare yield (``sleep(0)``): just go on
            yielded = coro.send(None)
    except StopIteration as stop:
        result: T = stop.value
        return result
    return _finish_in_loop(coro, yielded)


def _finish_in_loop(coro: Coroutine[Any, Any, T], first: Any) -> T:
    import asyncio

    get_loop = getattr(first, "get_loop", None)
    if get_loop is None:
        coro.close()
        raise RuntimeError(f"a poll waited on {type(first).__name__}, not an asyncio future")
    loop: asyncio.AbstractEventLoop = get_loop()

    async def resume() -> T:
        result: T = await _Resume(coro, first)
        return result

    try:
        return loop.run_until_complete(resume())
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


class _Resume:
    """Awaiting it goes on with a coroutine that already yielded ``first`` to its driver."""

    def __init__(self, coro: Coroutine[Any, Any, Any], first: Any) -> None:
        self._coro = coro
        self._first = first

    def __await__(self) -> Generator[Any, Any, Any]:
        value = self._first
        while True:
            try:
                sent = yield value
            except BaseException as exc:  # cancellation and the like go on to the coroutine
                try:
                    value = self._coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    value = self._coro.send(sent)
                except StopIteration as stop:
                    return stop.value
