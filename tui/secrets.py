"""Every secret this process holds, so anything it prints, logs or writes can be masked by value.

``credentials`` calls ``register`` for each token and key it reads (access and refresh tokens,
API key, admin key), whatever their shape: a gateway token ``gw-...`` is masked as surely as an
``sk-ant-...`` key. ``mask(text)`` replaces every registered value, then, as a second net,
anything shaped like an Anthropic key. The sinks call it: the state files (``state_file``),
``status --json`` (``core.report``), the command line's output and the live view's widgets.
"""

from __future__ import annotations

from _thread import allocate_lock
from collections.abc import Callable
from typing import Any, TextIO

from tui.patterns import lazy

MIN_SECRET_LENGTH = 8  # shorter values would mask ordinary words; no real credential is this short
_PATTERN = lazy(r"sk-ant-[A-Za-z0-9_\-]{4,}|\bsk-[A-Za-z0-9_\-]{16,}")

_lock = allocate_lock()  # threading itself is 1 ms of a status that starts no thread
_values: tuple[str, ...] = ()  # longest first, so a secret holding another is masked whole


def short_form(secret: str) -> str:
    """``sk-ant-...abcd`` / ``...abcd``: enough to recognise a key, never enough to use it."""
    secret = secret.strip()
    if len(secret) < 16:
        return "****"
    if secret.startswith("sk-ant-"):
        return f"sk-ant-...{secret[-4:]}"
    return f"...{secret[-4:]}"


def register(value: str | None) -> None:
    """Remember ``value`` (stripped) as a secret for the rest of the process."""
    global _values
    if not isinstance(value, str):
        return
    value = value.strip()
    if len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _values:
            return
        _values = tuple(sorted((*_values, value), key=len, reverse=True))


def registered() -> int:
    """How many secrets are known (for tests and ``doctor``)."""
    return len(_values)


def forget_all() -> None:
    """Drop every registered secret (tests only)."""
    global _values
    with _lock:
        _values = ()


def mask(text: str) -> str:
    """``text`` with every registered secret, and anything shaped like a key, masked."""
    if not text:
        return text
    for value in _values:
        if value in text:
            text = text.replace(value, short_form(value))
    if "sk-" not in text:  # nothing shaped like a key (the pattern below needs "sk-")
        return text
    return _PATTERN.sub(lambda found: short_form(found.group(0)), text)


def mask_data(data: object) -> object:
    """A copy of JSON-like ``data`` with every string (values and keys) masked."""
    if isinstance(data, str):
        return mask(data)
    if isinstance(data, dict):
        return {(mask(k) if isinstance(k, str) else k): mask_data(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [mask_data(item) for item in data]
    return data


class MaskingWriter:
    """A text stream that masks secrets in everything written through it (the CLI's stdout and
    stderr), then applies ``clean`` if given; every other attribute is the wrapped stream's."""

    def __init__(self, stream: TextIO, clean: Callable[[str], str] | None = None) -> None:
        self._stream = stream
        self._clean = clean

    def write(self, text: str) -> int:
        shown = mask(text)
        if self._clean is not None:
            shown = self._clean(shown)
        self._stream.write(shown)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
