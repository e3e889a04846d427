"""Small files limitwatch reads and writes: state written atomically, input read safely.

State (usage cache, last error, status line feed): a temp file in the same folder, mode 0600,
then ``os.replace``: a reader in another process sees the old file or the new one, never half
of one. Every string is masked by value first (``tui.secrets``), so none of these files holds a
secret even when a server echoed one.

Input (Claude Code's credentials, the config file): ``read_bounded`` reads only a regular file
(a FIFO or a device would hang or never end) of bounded size, and says why it refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path

from tui.secrets import mask_data


class FileRefused(Exception):
    """A file that is not read: ``reason`` says why, in words for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_regular(path: Path, *, limit: int) -> None:
    """Raise ``FileRefused`` unless ``path`` is a regular file of at most ``limit`` bytes (by
    ``stat``: nothing is opened, so a FIFO cannot block); ``OSError`` when it cannot be seen."""
    _refuse_unless_regular(path.stat(), limit)


def _refuse_unless_regular(info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused("is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused("is not a regular file (a pipe, socket or device); not read")
    if info.st_size > limit:
        raise FileRefused(f"is larger than {limit:,} bytes; not read")


def read_bounded(path: Path, *, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises ``FileRefused`` for a FIFO, socket, device or folder, or a file over ``limit``
    bytes; ``OSError`` (e.g. ``FileNotFoundError``) when it cannot be opened. Never blocks:
    the file is opened non-blocking and checked before a byte is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        _refuse_unless_regular(os.fstat(fd), limit)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileRefused(f"is larger than {limit:,} bytes; not read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_json(path: Path, payload: object, *, prefix: str) -> None:
    """Replace ``path`` with ``payload`` (secrets masked) as compact JSON. Raises OSError (no
    temp file is left). A file that already holds exactly this is left alone: a ``status`` run
    every few seconds by a prompt then writes nothing while nothing changed."""
    data = json.dumps(mask_data(payload), separators=(",", ":")).encode("utf-8")
    with contextlib.suppress(OSError, FileRefused):
        if read_bounded(path, limit=len(data)) == data:
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only when something is written: with shutil, 3 ms of a status start

    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
