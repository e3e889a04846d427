"""Reading a config file: its text (UTF-8, BOM dropped) and its TOML, with clear problems.

Only a regular file of at most ``MAX_CONFIG_BYTES`` is read (a FIFO would hang, a device never
end), and TOML nested too deeply to parse is a problem like any other, never a traceback.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from tui.config.model import ConfigError, Problem
from tui.patterns import lazy
from tui.state_file import FileRefused, check_regular

MAX_CONFIG_BYTES = 1_000_000  # a real config is a few kB

_AT_LINE = lazy(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = lazy(r"\s*\(at end of document\)\s*$")
_BAREWORD_VALUE = lazy(r"=\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:#.*)?$")


def os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def blocking_file(path: Path) -> Path:
    """The first folder on the way to ``path`` that is really a file."""
    return next((p for p in reversed(path.parents) if p.is_file()), path.parent)


def read_text(path: Path) -> str | None:
    """The file's text; None when it does not exist; ConfigError when it cannot be used."""
    try:
        if path.is_dir():
            raise ConfigError([Problem(path, "", "is a folder, not a config file")])
        check_regular(path, limit=MAX_CONFIG_BYTES)
        raw = path.read_bytes()
    except FileRefused as refused:
        reason = refused.reason.replace("is a folder, not a file", "is a folder, not a config file")
        raise ConfigError([Problem(path, "", reason)]) from None
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        message = f"cannot be read: {blocking_file(path)} is a file, not a folder"
        raise ConfigError([Problem(path, "", message)]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(path, "", "is a folder, not a config file")]) from None
    except PermissionError:
        message = "cannot be read: permission denied"
        raise ConfigError([Problem(path, "", message)]) from None
    except OSError as error:
        message = f"cannot be read: {os_reason(error)}"
        raise ConfigError([Problem(path, "", message)]) from None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        message = f"is not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        raise ConfigError([Problem(path, "", message, line)]) from None


def parse_toml(text: str, path: Path | None) -> dict[str, Any]:
    import tomllib  # only when there is a file: a start with the defaults does not load it

    try:
        return tomllib.loads(text)
    except RecursionError:
        message = "not valid TOML: arrays or tables nested too deeply"
        raise ConfigError([Problem(path, "", message)]) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line: int | None = None
        column = ""
        found = _AT_LINE.search(message)
        if found:
            line = int(found.group(1))
            column = f" (column {found.group(2)})"
            message = message[: found.start()]
        elif _AT_END.search(message):
            message = _AT_END.sub("", message) + " at the end of the file"
            line = max(1, len(text.splitlines()))
        hint = ""
        if line is not None and message.startswith("Invalid value"):
            lines = text.splitlines()
            if 0 < line <= len(lines):
                bare = _BAREWORD_VALUE.search(lines[line - 1])
                if bare:
                    hint = f'; text needs quotes, e.g. "{bare.group(1)}"'
        problem = Problem(path, "", f"not valid TOML: {message}{column}{hint}", line)
        raise ConfigError([problem]) from None


def read_raw(path: Path) -> dict[str, Any] | None:
    """The file's parsed TOML (unvalidated); None when it does not exist."""
    text = read_text(path)
    return None if text is None else parse_toml(text, path)
