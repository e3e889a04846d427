"""`status` never loads Textual at run time: it must stay fast and usable without a TTY.

Which package may import what (only `tui.ui` imports Textual, ...) is checked by import-linter's
contracts in pyproject.toml (`lint-imports`, run by .ci/run); these tests check what a command
really loads."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )


def test_status_command_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "rc = main(['status', '--json'])\n"
        "print('TEXTUAL', 'textual' in sys.modules, file=sys.stderr)\n"
    )
    result = _run(code, dict(os.environ))
    assert "TEXTUAL False" in result.stderr, result.stderr
    assert '"schema": 1' in result.stdout


def test_launch_module_import_is_cheap() -> None:
    """Importing the TUI entry module must not import Textual before it is run."""
    result = _run("import sys, tui.cli.live; print('textual' in sys.modules)", dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# Each was loaded by a warm `status` once and cost it several milliseconds: the event loop and
# TLS (no call is due), dataclasses (inspect, ast, dis: tui.record makes the value classes),
# subprocess (the macOS keychain), difflib (did-you-mean), tomllib with no config file;
# argparse with gettext and locale (tui.cli.quick reads `status --json`), OpenSSL's hashes
# (tui.digest), threading (no thread is started), zoneinfo with sysconfig (no zone is named).
HEAVY = (
    "asyncio",
    "ssl",
    "dataclasses",
    "inspect",
    "subprocess",
    "difflib",
    "tomllib",
    "argparse",
    "_hashlib",
    "threading",
    "zoneinfo",
)


def test_status_with_a_warm_cache_does_not_import_httpx(isolated_paths, monkeypatch) -> None:
    """Importing httpx costs more than the rest of `status`; with a fresh shared cache no call
    is due, so it must not be loaded at all."""
    from tests.test_status import _login
    from tui.simulator import Simulator

    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        code = (
            "import sys\n"
            "from tui.cli import main\n"
            "rc = main(['status', '--json'])\n"
            "print('HTTPX', 'httpx' in sys.modules, file=sys.stderr)\n"
            "print('HEAVY', sorted(set(HEAVY) & set(sys.modules)), file=sys.stderr)\n"
        ).replace("import sys\n", f"import sys\nHEAVY = {HEAVY!r}\n")
        cold = _run(code, dict(os.environ))
        warm = _run(code, dict(os.environ))
        calls = [r for r in sim.requests if r.path == "/api/oauth/usage"]
    assert "HTTPX True" in cold.stderr  # the first run had to call
    assert "HTTPX False" in warm.stderr, warm.stderr
    assert "HEAVY []" in warm.stderr, warm.stderr  # what a status start paid for, and no more
    assert '"used_percent": 12.0' in warm.stdout
    assert len(calls) == 1
