"""Small JSON state files (usage cache, last error, status line feed): written atomically.

A temp file in the same folder, mode 0600, then ``os.replace``: a reader in another process
sees the old file or the new one, never half of one. None of these files holds a secret.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path


def write_json(path: Path, payload: object, *, prefix: str) -> None:
    """Replace ``path`` with ``payload`` as compact JSON. Raises OSError (no temp file is left)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, separators=(",", ":"))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
