"""doctor and several accounts: which are watched, which other folders could be, and sharing."""

from __future__ import annotations

import os

from tests.test_status import _login
from tui.cli import main
from tui.simulator import Simulator


def test_doctor_lists_the_accounts_and_the_lines_to_add_other_folders(
    isolated_paths, monkeypatch, capsys
) -> None:
    other = isolated_paths.home / ".claude-work"
    other.mkdir()
    (other / ".credentials.json").write_text("{}")
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Accounts")
    assert lines[start + 1] == f"  default: {isolated_paths.claude}"
    assert "other Claude Code folders were found" in lines[start + 2]
    added = "\n".join(lines[start + 3 : start + 12])
    assert '    name = "work"' in added
    assert '    claude_config_dir = "~/.claude-work"' in added


def test_doctor_says_when_processes_cannot_share_the_usage_cache(
    isolated_paths, monkeypatch, capsys
) -> None:
    if os.geteuid() == 0:
        # root writes anywhere: make the cache "folder" a file instead
        cache = isolated_paths.root / "not-a-folder"
        cache.write_text("")
    else:
        cache = isolated_paths.cache
        cache.chmod(0o500)
    monkeypatch.setenv("LIMITWATCH_CACHE_DIR", str(cache))
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 1
    problem = [line for line in out.splitlines() if "calls the usage endpoint itself" in line]
    assert problem and problem[0].startswith("  ! ")
    assert str(cache) in problem[0]


def test_doctor_shows_how_close_the_estimate_has_been(isolated_paths, monkeypatch, capsys) -> None:
    from datetime import UTC, datetime

    from tui.core.last_error import write_estimate_errors

    write_estimate_errors({"five_hour": 1.234}, datetime.now(UTC))
    main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Estimate between polls (calibrated on the transcripts' tokens)")
    assert lines[start + 1].startswith("  five_hour: running error ±1.2 points (")
