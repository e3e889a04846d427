"""The usage answer shared by every limitwatch process signed in to the same account.

One JSON file per account (``paths.usage_cache_file``) holds the last good usage JSON, when it was
fetched, when the next call is allowed and the throttle's backoff step, so N open panes make one
call per interval and share one backoff. A lock file (``paths.usage_lock_file``, ``fcntl.flock``)
is held while one process calls, so a second process waits a few seconds and then reads the fresh
answer; if the lock is still busy it answers from the cache and makes no call (``Held.busy``).
A lock held far longer than any call can take (a suspended process) is passed over.
Where ``fcntl`` is missing (Windows) locking is skipped. A folder that cannot be written turns
sharing off: ``UsageCache.problem`` and ``sharing_problem()`` say so in words.

Times in the file are checked against the clock before use (``trusted``): a fetch from the future
or a wait beyond the policy's ceiling is a clock that jumped, not a reason to stop calling.

The file holds no secret: the account key is a hash, the payload is the endpoint's answer.
A corrupt file is ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tui import paths
from tui.clock import Clock
from tui.record import record, replace
from tui.sources.oauth import policy
from tui.sources.oauth.parse import parse_usage
from tui.state_file import write_json

if TYPE_CHECKING:
    import asyncio

    from tui.models import ExtraUsage, Window

try:  # pragma: no cover - platform dependent
    import fcntl as _fcntl

    fcntl: Any = _fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

CACHE_VERSION = 1
# How long a process waits for another one's call before answering from the cache: a few
# seconds, well inside the ~12 s a `status` may take.
LOCK_TIMEOUT_SECONDS = 4.0
# A lock held longer than this (wall time since its holder took it) is abandoned: no call takes
# so long, so its holder is stopped or stuck, and waiting for it would stop updates for good.
STUCK_LOCK_SECONDS = 120.0


@record
class CacheEntry:
    payload: object | None  # the last good usage JSON (None: never fetched successfully)
    fetched_at: datetime | None  # when that payload was fetched
    next_allowed_at: datetime | None  # no process calls before this
    backoff_step: int = 0
    last_attempt_at: datetime | None = None
    last_status: int | None = None  # HTTP status of the last attempt (None: network fault)
    last_ok: bool = True
    last_detail: str = ""  # plain words about the last attempt, e.g. "throttled (429)"

    def to_json(self) -> dict[str, object]:
        def iso(dt: datetime | None) -> str | None:
            return dt.isoformat() if dt is not None else None

        return {
            "version": CACHE_VERSION,
            "payload": self.payload,
            "fetched_at": iso(self.fetched_at),
            "next_allowed_at": iso(self.next_allowed_at),
            "backoff_step": self.backoff_step,
            "last_attempt_at": iso(self.last_attempt_at),
            "last_status": self.last_status,
            "last_ok": self.last_ok,
            "last_detail": self.last_detail,
        }

    @classmethod
    def from_json(cls, data: object) -> CacheEntry | None:
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return None

        def dt(key: str) -> datetime | None:
            raw = data.get(key)
            if not isinstance(raw, str):
                return None
            try:
                value = datetime.fromisoformat(raw)
            except ValueError:
                return None
            return value if value.tzinfo is not None else None

        step = data.get("backoff_step")
        status = data.get("last_status")
        detail = data.get("last_detail")
        return cls(
            payload=data.get("payload"),
            fetched_at=dt("fetched_at"),
            next_allowed_at=dt("next_allowed_at"),
            backoff_step=step if isinstance(step, int) and not isinstance(step, bool) else 0,
            last_attempt_at=dt("last_attempt_at"),
            last_status=status
            if isinstance(status, int) and not isinstance(status, bool)
            else None,
            last_ok=data.get("last_ok") is not False,
            last_detail=detail if isinstance(detail, str) else "",
        )

    def with_attempt(self, **changes: Any) -> CacheEntry:
        return replace(self, **changes)

    def values(self) -> tuple[tuple[Window, ...], ExtraUsage | None]:
        """The windows and extra usage of the payload, as of when it was fetched (none when
        nothing was fetched yet)."""
        if self.payload is None or self.fetched_at is None:
            return (), None
        return parse_usage(self.payload, self.fetched_at)


EMPTY = CacheEntry(payload=None, fetched_at=None, next_allowed_at=None)


def trusted(entry: CacheEntry, now: datetime, interval: float) -> CacheEntry:
    """The entry as far as its times can be believed at ``now``.

    A fetch dated in the future makes the whole entry unknown (its values have no age); a
    next-allowed time beyond the policy's ceiling is dropped (the call is allowed per policy).
    """
    if not policy.trusted_past(entry.fetched_at, now):
        return EMPTY
    if not policy.trusted_wait(entry.next_allowed_at, now, interval):
        return replace(entry, next_allowed_at=None)
    return entry


@record
class Held:
    """What ``UsageCache.locked`` yields: the entry read under the lock, and whether the lock
    was still busy (another process calling) when the wait ran out."""

    entry: CacheEntry | None
    busy: bool = False


def _not_writable(folder: Path, exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return (
        f"the cache folder {folder} cannot be written ({reason}); limitwatch processes "
        "cannot share usage answers, so each one calls the usage endpoint itself"
    )


def sharing_problem() -> str | None:
    """Why processes cannot share usage answers (the cache folder is not writable), or None."""
    folder = paths.cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return _not_writable(folder, exc)
    return None


class UsageCache:
    """Read, lock and write the shared cache of one account."""

    def __init__(
        self,
        account_key: str,
        *,
        clock: Clock,
        lock_timeout: float | None = None,
        in_memory: bool = False,
    ) -> None:
        """``in_memory``: keep the entry in this object only (the demo: nothing on disk).
        ``lock_timeout``: seconds to wait for another process's call (default
        ``LOCK_TIMEOUT_SECONDS``)."""
        self.account_key = account_key
        self._clock = clock
        self._lock_timeout = lock_timeout
        self.in_memory = in_memory
        self._memory: CacheEntry | None = None
        # Words for the source's detail while the folder cannot be written (sharing is off).
        self.problem: str | None = None

    @property
    def path(self) -> Path:
        return paths.usage_cache_file(self.account_key)

    @property
    def lock_path(self) -> Path:
        return paths.usage_lock_file(self.account_key)

    def read(self) -> CacheEntry | None:
        """The entry on disk; None when missing or corrupt (a corrupt file is rewritten later)."""
        if self.in_memory:
            return self._memory
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        try:
            return CacheEntry.from_json(json.loads(text))
        except (ValueError, RecursionError):
            return None

    def write(self, entry: CacheEntry) -> bool:
        """Atomically replace the file (mode 0600). False when the folder is not writable."""
        if self.in_memory:
            self._memory = entry
            return True
        try:
            write_json(self.path, entry.to_json(), prefix=".usage-")
        except OSError as exc:
            self.problem = _not_writable(self.path.parent, exc)
            return False
        except (TypeError, ValueError):
            return False
        self.problem = None
        return True

    @property
    def lock_timeout(self) -> float:
        return LOCK_TIMEOUT_SECONDS if self._lock_timeout is None else self._lock_timeout

    def _abandoned(self) -> bool:
        """The lock file was last taken so long ago that its holder cannot be calling."""
        try:
            taken = self.lock_path.stat().st_mtime
        except OSError:
            return False
        return time.time() - taken > STUCK_LOCK_SECONDS

    def _acquire_blocking(self) -> tuple[IO[bytes] | None, bool]:
        """Open and flock the lock file, waiting up to the timeout (real time: other processes).

        Returns (handle, busy): busy is True when another holder kept the lock all along. No
        handle and not busy: locking is not possible here, go on without it."""
        if self.in_memory:
            return None, False
        try:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.lock_path, "ab")  # noqa: SIM115 - closed by _release
        except OSError as exc:
            self.problem = _not_writable(self.lock_path.parent, exc)
            return None, False
        with contextlib.suppress(OSError):
            os.chmod(self.lock_path, 0o600)
        if fcntl is None:
            return handle, False
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    return None, not self._abandoned()
                time.sleep(0.02)
                continue
            except OSError:
                # Locking unsupported here (some network file systems): go on without it.
                return handle, False
            with contextlib.suppress(OSError):
                os.utime(self.lock_path)  # when it was taken, for _abandoned in other processes
            return handle, False

    @staticmethod
    def _release(handle: IO[bytes] | None) -> None:
        if handle is None:
            return
        with contextlib.suppress(OSError):
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        with contextlib.suppress(OSError):
            handle.close()

    def _release_when_done(self, task: asyncio.Future[tuple[IO[bytes] | None, bool]]) -> None:
        if not task.cancelled() and task.exception() is None:
            self._release(task.result()[0])

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[Held]:
        """Hold the lock (waiting in a thread, not blocking the event loop); yield the entry.

        If another process still holds the lock when the wait runs out, ``busy`` is True and the
        caller must not call: that process is calling, and its answer lands in the cache. If
        locking is impossible here, or the holder is stuck, the body runs unlocked.
        """
        import asyncio  # here, not above: a warm `status` answers before any lock, loop-free

        task = asyncio.ensure_future(asyncio.to_thread(self._acquire_blocking))
        try:
            handle, busy = await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(self._release_when_done)
            raise
        try:
            yield Held(self.read(), busy)
        finally:
            self._release(handle)
