"""Telling the user outside the window: terminal bell, desktop notification, a user command.

``Notifier.notify(alert)`` never raises and never waits longer than the configured timeout
(clamped to ``MAX_COMMAND_TIMEOUT``): problems (a missing, failing or hanging command;
notify-send failing) come back as strings, each distinct problem only once (and also wait in
``take_problems()`` for anyone polling). The monitor runs it in a task of its own (so a poll
never waits on it) and puts the problems in the event log. Of a command's stderr only the last
``STDERR_KEEP`` bytes are kept, however much it writes. A command runs in its own process group;
``aclose()`` (or cancelling ``notify``) ends the whole group, so quitting leaves nothing running.
The Textual toast is the app's business; nothing here imports Textual.

Desktop notifications go one way only, to avoid doubles: ``notify-send`` when it is installed
and a graphical session is present; otherwise an escape sequence to the terminal: OSC 9 for
terminals known to show it (iTerm2, WezTerm, kitty, Ghostty, Windows Terminal), OSC 777 for
the rest; wrapped for tmux passthrough inside tmux.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shlex
import shutil
import signal
from collections.abc import Callable, Mapping

from tui.config import NotifyConfig
from tui.core.report import rfc3339
from tui.models import Alert
from tui.secrets import mask

NOTIFY_SEND_TIMEOUT = 5.0
MAX_COMMAND_TIMEOUT = 300.0  # whatever the config says, a command is stopped after this
STDERR_KEEP = 4096  # bytes of a command's stderr kept for the problem message (the last ones)
MAX_MESSAGE = 240
_OSC9_PROGRAMS = {"iterm.app", "wezterm", "ghostty", "vscode"}


def sanitize(text: str, limit: int = MAX_MESSAGE) -> str:
    """Text safe inside a terminal escape sequence: no control characters, bounded length."""
    cleaned = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F)
    )
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def alert_json(alert: Alert) -> str:
    """The alert as the user command receives it on stdin."""
    return json.dumps(
        {
            "window": alert.window,
            "level": alert.level,
            "reason": alert.reason,
            "message": alert.message,
            "at": rfc3339(alert.at),
            "account": alert.account or "default",
        }
    )


def _program_name(what: str | list[str]) -> str:
    """The program a command runs, without its arguments (they may hold a webhook secret)."""
    if isinstance(what, list):
        return os.path.basename(what[0]) if what else "?"
    try:
        words = shlex.split(what)
    except ValueError:
        words = what.split()
    return sanitize(os.path.basename(words[0]), 60) if words else "?"


def _last_line(data: bytes) -> str:
    """The last non-blank line of a command's stderr tail, safe to show."""
    for line in reversed(data.decode("utf-8", "replace").splitlines()):
        if line.strip():
            return sanitize(mask(line), 160)
    return ""


def clamp_timeout(value: object) -> float:
    """The configured command timeout, bounded to 0.01-``MAX_COMMAND_TIMEOUT`` seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 10.0
    seconds = float(value)
    if math.isnan(seconds):
        return 10.0
    return min(MAX_COMMAND_TIMEOUT, max(0.01, seconds))


async def _tail(stream: asyncio.StreamReader | None, keep: int) -> bytes:
    """Read ``stream`` to its end, keeping only the last ``keep`` bytes."""
    if stream is None:
        return b""
    kept = b""
    while chunk := await stream.read(65536):
        kept = (kept + chunk)[-keep:]
    return kept


class Notifier:
    def __init__(
        self,
        config: NotifyConfig,
        *,
        write_terminal: Callable[[str], None] | None = None,
        which: Callable[[str], str | None] = shutil.which,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.write_terminal = write_terminal
        self.which = which
        self.env: Mapping[str, str] = env if env is not None else os.environ
        self.problems: list[str] = []  # every distinct problem so far
        self._untaken: list[str] = []
        self._running: set[asyncio.subprocess.Process] = set()

    @property
    def command_timeout(self) -> float:
        return clamp_timeout(self.config.command_timeout)

    def take_problems(self) -> list[str]:
        """The problems not taken yet (each distinct one appears once, ever)."""
        taken, self._untaken = self._untaken, []
        return taken

    async def aclose(self) -> None:
        """End every command still running, with its whole process group."""
        for proc in list(self._running):
            self._kill(proc)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proc.wait(), 2.0)
        self._running.clear()

    # -- entry point ----------------------------------------------------------------------

    async def notify(self, alert: Alert) -> list[str]:
        """Bell, desktop notification and user command for one alert; returns new problems."""
        found: list[str] = []
        try:
            if self.config.bell:
                self._write("\a", found)
            if self.config.desktop:
                await self._desktop(alert, found)
            if self.config.command:
                await self._command(self.config.command, alert, found)
        except Exception as exc:  # never let a notification harm the app
            found.append(f"notification failed: {exc}")
        return self._new(found)

    def _new(self, found: list[str]) -> list[str]:
        fresh: list[str] = []
        for problem in found:
            if problem not in self.problems:
                self.problems.append(problem)
                self._untaken.append(problem)
                fresh.append(problem)
        return fresh

    def _write(self, text: str, found: list[str]) -> None:
        if self.write_terminal is None:
            return
        try:
            self.write_terminal(text)
        except Exception as exc:
            found.append(f"could not write to the terminal: {exc}")

    # -- desktop --------------------------------------------------------------------------

    def _graphical(self) -> bool:
        return any(self.env.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY"))

    def osc_sequence(self, message: str) -> str:
        """The escape sequence this terminal most likely turns into a desktop notification."""
        text = sanitize(message)
        program = self.env.get("TERM_PROGRAM", "").lower()
        lc_terminal = self.env.get("LC_TERMINAL", "").lower()
        if (
            program in _OSC9_PROGRAMS
            or lc_terminal == "iterm2"
            or self.env.get("KITTY_WINDOW_ID")
            or self.env.get("WT_SESSION")
        ):
            seq = f"\x1b]9;{text}\x07"
        else:
            seq = f"\x1b]777;notify;limitwatch;{text}\x07"
        if self.env.get("TMUX"):
            seq = "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
        return seq

    async def _desktop(self, alert: Alert, found: list[str]) -> None:
        notify_send = self.which("notify-send")
        if notify_send and self._graphical():
            urgency = "critical" if alert.level in ("critical", "exhausted") else "normal"
            argv = [
                notify_send,
                "--app-name=limitwatch",
                f"--urgency={urgency}",
                "limitwatch",
                sanitize(alert.message),
            ]
            await self._run(argv, None, NOTIFY_SEND_TIMEOUT, "notify-send", found)
            return
        self._write(self.osc_sequence(alert.message), found)

    # -- user command ---------------------------------------------------------------------

    async def _command(self, command: str, alert: Alert, found: list[str]) -> None:
        payload = (alert_json(alert) + "\n").encode()
        timeout = self.command_timeout
        await self._run(command, payload, timeout, "notify command", found)

    async def _run(
        self,
        what: str | list[str],
        stdin: bytes | None,
        timeout: float,
        name: str,
        found: list[str],
    ) -> None:
        """Run a shell command (str) or argv (list); feed stdin; kill it after ``timeout``."""
        shown = _program_name(what)
        try:
            if isinstance(what, str):
                proc = await asyncio.create_subprocess_shell(
                    what,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                    start_new_session=True,
                )
            else:
                proc = await asyncio.create_subprocess_exec(
                    *what,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                    start_new_session=True,
                )
        except (OSError, ValueError) as exc:
            found.append(f"{name} could not start ({shown}): {exc}")
            return
        self._running.add(proc)
        try:
            err = await asyncio.wait_for(self._communicate(proc, stdin), timeout)
        except TimeoutError:
            self._kill(proc)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proc.wait(), 2.0)
            found.append(f"{name} did not finish within {timeout:g} s and was stopped: {shown}")
            return
        except asyncio.CancelledError:  # the app is quitting: leave nothing running
            self._kill(proc)
            raise
        finally:
            self._running.discard(proc)
        code = proc.returncode
        if code is None or code == 0:
            return
        detail = _last_line(err)
        why = f" ({detail})" if detail else ""
        if code == 127 and isinstance(what, str):
            found.append(f"{name} not found: {shown}{why}")
        else:
            found.append(
                f"{name} failed with exit status {code}: {shown}"
                + (f" ({detail})" if detail else "")
            )

    @staticmethod
    async def _communicate(proc: asyncio.subprocess.Process, stdin: bytes | None) -> bytes:
        """Feed stdin, read stderr (its tail only) and wait for the exit; the stderr tail."""

        async def feed() -> None:
            if proc.stdin is None:
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                if stdin:
                    proc.stdin.write(stdin)
                    await proc.stdin.drain()
            with contextlib.suppress(Exception):
                proc.stdin.close()

        _, err, _ = await asyncio.gather(feed(), _tail(proc.stderr, STDERR_KEEP), proc.wait())
        return err

    @staticmethod
    def _kill(proc: asyncio.subprocess.Process) -> None:
        """Stop the command and anything it started (it runs in its own session)."""
        killpg = getattr(os, "killpg", None)
        try:
            if killpg is None:
                raise OSError("no process groups here")
            killpg(proc.pid, signal.SIGKILL)
        except OSError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
