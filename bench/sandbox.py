"""A throwaway world for limitwatch under the bench: temp HOME, fake Claude Code sign-in, the
simulator on loopback, and a generated transcript tree.

Nothing here touches the user's real files or the network beyond 127.0.0.1: every path
limitwatch (and the peers) could read points into the temp folder, and every variable that
could leak real credentials, endpoints or proxies is dropped from the children's environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

_ENV_DROP = (
    "LIMITWATCH_CONFIG",
    "LIMITWATCH_DATA_DIR",
    "LIMITWATCH_CACHE_DIR",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_ADMIN_KEY",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CONFIG_DIR",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
    "NO_COLOR",
    "TEXTUAL",
    "TEXTUAL_DEBUG",
    "PYTHONDONTWRITEBYTECODE",  # a user's install has its .pyc files: so do our children
)


def oauth_file_content(token: str, *, valid_for: timedelta = timedelta(days=1)) -> dict[str, Any]:
    """What Claude Code writes to ``.credentials.json`` (a Max 20x sign-in)."""
    expires = time.time() + valid_for.total_seconds()
    return {
        "claudeAiOauth": {
            "accessToken": token,
            "refreshToken": "x",
            "expiresAt": int(expires * 1000),
            "scopes": ["user:profile", "user:inference"],
            "subscriptionType": "max",
            "rateLimitTier": "default_claude_max_20x",
        }
    }


@dataclass
class World:
    """Folders and environment of one sandboxed limitwatch user."""

    root: Path
    home: Path
    claude: Path
    data: Path
    cache: Path
    config: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def projects(self) -> Path:
        return self.claude / "projects"

    def reset_state(self) -> None:
        """Forget history and caches (a first run), keep the sign-in and the transcripts."""
        for folder in (self.data, self.cache):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)


def make_world(
    root: Path,
    *,
    base_url: str,
    oauth_token: str,
    api_key: str | None,
    valid_for: timedelta = timedelta(days=1),
) -> World:
    home = root / "home"
    claude = root / "claude"
    data = root / "data"
    cache = root / "cache"
    for folder in (home, claude / "projects", data, cache, root / "xdg"):
        folder.mkdir(parents=True, exist_ok=True)
    creds = claude / ".credentials.json"
    creds.write_text(json.dumps(oauth_file_content(oauth_token, valid_for=valid_for)))
    creds.chmod(0o600)
    config = root / "config.toml"  # absent: defaults
    # OTEL_* too: a real collector configured in the shell must not get the bench's metrics.
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP and not k.startswith("OTEL_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(root / "xdg" / "config"),
        XDG_DATA_HOME=str(root / "xdg" / "data"),
        XDG_CACHE_HOME=str(root / "xdg" / "cache"),
        CLAUDE_CONFIG_DIR=str(claude),
        ANTHROPIC_BASE_URL=base_url,
        LIMITWATCH_DATA_DIR=str(data),
        LIMITWATCH_CACHE_DIR=str(cache),
        LIMITWATCH_CONFIG=str(config),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    if api_key is not None:
        env["ANTHROPIC_API_KEY"] = api_key
    # `python -m tui` / `-m bench.*` from the checkout even when it is not installed.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return World(root, home, claude, data, cache, config, env)


def second_account(world: World) -> dict[str, str]:
    """The same user with a second Claude Code folder beside the first: its own sign-in (the
    simulator's second token, ``SIM_OAUTH_TOKEN_2``) and no transcripts. Returns the
    environment that watches both (a comma-separated ``CLAUDE_CONFIG_DIR``, one account each)."""
    from tui.simulator import SIM_OAUTH_TOKEN_2

    second = world.root / "claude-second"
    (second / "projects").mkdir(parents=True, exist_ok=True)
    creds = second / ".credentials.json"
    creds.write_text(json.dumps(oauth_file_content(SIM_OAUTH_TOKEN_2)))
    creds.chmod(0o600)
    return {**world.env, "CLAUDE_CONFIG_DIR": f"{world.claude},{second}"}


def doubled_tree(world: World) -> tuple[dict[str, str], int]:
    """The same user with a transcript tree twice the generated one: the generated files and a
    hard-linked copy of each in a sibling project folder (the bytes on disk and in the OS
    cache are the same; a reader sees twice the files and twice the bytes). Returns the
    environment that points at it and the tree's size in bytes."""
    folder = world.root / "claude-doubled"
    projects = folder / "projects"
    shutil.rmtree(folder, ignore_errors=True)
    projects.mkdir(parents=True)
    shutil.copy2(world.claude / ".credentials.json", folder / ".credentials.json")
    size = 0
    for path in sorted(world.projects.rglob("*.jsonl")):
        rel = path.relative_to(world.projects)
        for copy in ("", "-copy"):
            target = projects / f"{rel.parts[0]}{copy}" / Path(*rel.parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:  # no hard links here: a real copy
                shutil.copy2(path, target)
            size += path.stat().st_size
    return {**world.env, "CLAUDE_CONFIG_DIR": str(folder)}, size


def temp_root(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def generate_transcripts(
    world: World,
    total_mb: float,
    seed: int = 0,
    *,
    now: datetime | None = None,
    layout: str = "claude_code",
) -> dict[str, Any]:
    """A tree shaped like real Claude Code transcripts (bench/transcripts.py does the writing),
    then normalised (see ``normalize_tree``) so that its last rows are from ``now``."""
    from bench import transcripts

    info = transcripts.generate_tree(world.projects, total_mb, seed=seed, layout=layout)
    end = getattr(transcripts, "END", None)
    shift = timedelta(0)
    if isinstance(end, datetime):
        now = now or datetime.now(UTC)
        shift = timedelta(minutes=int((now - end).total_seconds() // 60))
    info["normalized"] = normalize_tree(world.projects, shift)
    return info


def _shift_stamp(stamp: str, shift: timedelta) -> str:
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ") + shift
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def normalize_tree(root: Path, shift: timedelta) -> str:
    """Make a generated tree look like what Claude Code writes today, in place.

    Claude Code writes compact JSON (``{"type":"assistant",...}``): a reader may search for
    ``"type":"assistant"`` byte-wise (ccusage's native binary does, and counts nothing on a
    tree written with ``json.dumps``'s default ``", "`` / ``": "`` separators). And a monitor
    looks at recent hours: rows stamped months ago show an idle account. So rows are rewritten
    compact, and timestamps moved by ``shift``. Returns what was done ("" when nothing).
    """
    files = sorted(root.rglob("*.jsonl"))
    if not files:
        return ""
    with files[0].open("rb") as handle:
        first = handle.readline()
    spaced = b'", "' in first or b'": ' in first
    if not spaced and not shift:
        return ""
    for path in files:
        out: list[str] = []
        for line in path.read_bytes().splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                out.append(line.decode("utf-8", "replace"))
                continue
            stamp = row.get("timestamp") if isinstance(row, dict) else None
            if shift and isinstance(stamp, str):
                with contextlib.suppress(ValueError):
                    row["timestamp"] = _shift_stamp(stamp, shift)
            out.append(json.dumps(row, separators=(",", ":"), ensure_ascii=False))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    done = []
    if spaced:
        done.append("rewritten as compact JSON")
    if shift:
        done.append(f"timestamps moved {shift.days} d later")
    return ", ".join(done)


def tui_argv() -> list[str]:
    return [sys.executable, "-m", "tui"]


def floor_argv() -> list[str]:
    return [sys.executable, str(REPO / "bench" / "floor_app.py")]
