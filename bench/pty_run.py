"""Run a command in a pseudo-terminal of a given size and watch what it costs.

The child gets a real pty (``os.openpty`` + ``TIOCSWINSZ``), so a Textual app draws exactly as
it would in a terminal pane. A thread drains the pty so the child never blocks on a full
buffer, and keeps the text (escape sequences stripped) so callers can wait for a frame that
contains a known string. CPU and memory come from ``/proc``: utime + stime of the process and
every live descendant (plus cutime + cstime of children already reaped), VmRSS summed over the
tree. Linux only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
_ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)")
_KEEP_TEXT = 4_000_000  # bytes of stripped text kept for wait_for


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm is in parentheses and may hold spaces; fields start after the last ")".
    return raw[raw.rfind(")") + 2 :].split()


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields is None:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(pid: int) -> list[int]:
    """``pid`` and every live descendant."""
    children = _children_map()
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def cpu_seconds(pid: int, *, tree: bool = True) -> float:
    """User + system CPU seconds of ``pid`` (and its descendants) so far."""
    ticks = 0
    for member in process_tree(pid) if tree else [pid]:
        fields = _stat_fields(member)
        if fields is None:
            continue
        # After the comm field: state=0 ppid=1 ... utime=11 stime=12 cutime=13 cstime=14.
        ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def rss_bytes(pid: int, *, tree: bool = True) -> int:
    """Resident memory of ``pid`` (and its descendants), from ``VmRSS``."""
    total = 0
    for member in process_tree(pid) if tree else [pid]:
        try:
            text = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
                break
    return total


def self_rss_bytes() -> int:
    return rss_bytes(os.getpid(), tree=False)


def strip_ansi(data: bytes) -> str:
    return _ANSI.sub(b"", data).decode("utf-8", "replace")


class PtyProcess:
    """A child process on a pty of ``cols`` x ``rows``; use as a context manager."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cols: int = 100,
        rows: int = 30,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        self.argv = list(argv)
        self.cols = cols
        self.rows = rows
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("TERM", "xterm-256color")
        self.env.setdefault("COLORTERM", "truecolor")
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.bytes_out = 0
        self._text = bytearray()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._master = -1
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> PtyProcess:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self._master = master
        self.started_at = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
                close_fds=True,
            )
        finally:
            os.close(slave)
        self._reader = threading.Thread(target=self._drain, name="pty-drain", daemon=True)
        self._reader.start()
        return self

    def _drain(self) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self._changed:
                self.bytes_out += len(chunk)
                data = pending + chunk
                # Keep an unfinished escape sequence for the next chunk.
                cut = data.rfind(b"\x1b")
                if cut != -1 and len(data) - cut < 64:
                    pending, data = data[cut:], data[:cut]
                else:
                    pending = b""
                self._text += strip_ansi(data).encode()
                if len(self._text) > _KEEP_TEXT:
                    del self._text[: len(self._text) - _KEEP_TEXT]
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def text(self) -> str:
        with self._lock:
            return self._text.decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float) -> float | None:
        """Seconds from spawn until ``needle`` appeared on screen; None on timeout or exit."""
        target = needle.encode()
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if target in self._text:
                    return time.monotonic() - self.started_at
                if self.proc is not None and self.proc.poll() is not None:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(min(left, 0.05))

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_bytes(self) -> int:
        return rss_bytes(self.pid)

    def settle(self, *, max_seconds: float, below_percent: float = 5.0) -> float:
        """Wait until one second of CPU stays under ``below_percent`` (or ``max_seconds``)."""
        start = time.monotonic()
        while time.monotonic() - start < max_seconds and self.alive():
            before = self.cpu_seconds()
            time.sleep(1.0)
            if 100.0 * (self.cpu_seconds() - before) < below_percent:
                break
        return time.monotonic() - start

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left; close the pty."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=timeout)
        if self.proc is not None:
            # Descendants that left the group die with it too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self._master != -1:
            with contextlib.suppress(OSError):
                os.close(self._master)
            self._master = -1
        if self._reader is not None:
            self._reader.join(timeout=2.0)

    def __enter__(self) -> PtyProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def measure_idle(proc: PtyProcess, seconds: float) -> dict[str, float]:
    """CPU (% of one core) and RSS over ``seconds`` of a running process, plus bytes drawn."""
    cpu0 = proc.cpu_seconds()
    out0 = proc.bytes_out
    t0 = time.monotonic()
    rss_samples: list[int] = []
    while time.monotonic() - t0 < seconds:
        time.sleep(min(1.0, max(0.0, seconds - (time.monotonic() - t0))))
        if not proc.alive():
            raise RuntimeError(f"{proc.argv[0]} exited during the idle measurement")
        rss_samples.append(proc.rss_bytes())
    wall = time.monotonic() - t0
    cpu = proc.cpu_seconds() - cpu0
    return {
        "cpu_percent": 100.0 * cpu / wall,
        "rss_mb": (rss_samples[-1] if rss_samples else proc.rss_bytes()) / 1e6,
        "out_bytes_per_s": (proc.bytes_out - out0) / wall,
        "seconds": wall,
    }
