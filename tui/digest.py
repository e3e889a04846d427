"""SHA-256 for names (cache files, state-file suffixes, Keychain services), without OpenSSL.

``hashlib`` loads OpenSSL's libcrypto first, about 4 ms of a warm ``status`` that hashes two
short strings. CPython's own SHA-256 gives the same digest; ``hashlib`` is the fallback for a
Python built without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _builtin() -> Callable[[bytes], Any]:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # 3.12+
        except ImportError:
            from hashlib import sha256
    return sha256  # type: ignore[no-any-return,unused-ignore]


_SHA256 = _builtin()


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hex characters (the same as ``hashlib.sha256``)."""
    return str(_SHA256(data).hexdigest())
