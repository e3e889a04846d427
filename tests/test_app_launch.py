"""Starting the TUI: bad config, the demo on loopback, and the no-credentials path."""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import UTC

from tests.fakes import bar_text, screen_text, settle
from tui.cli import live as launch
from tui.config import Config
from tui.ui.app import LimitwatchApp


def _args(**kwargs) -> argparse.Namespace:
    base = {"config": None, "demo": False, "demo_speed": None}
    base.update(kwargs)
    return argparse.Namespace(**base)


def test_importing_launch_does_not_load_textual() -> None:
    code = "import sys, tui.cli.live; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_bad_config_prints_every_problem_and_exits_2(isolated_paths, capsys) -> None:
    isolated_paths.config_file.write_text(
        "[thresholds]\nwarning = 95\ncritical = 90\n[poll]\nusage_interval = 5\n", encoding="utf-8"
    )
    assert launch.run(_args()) == 2
    err = capsys.readouterr().err
    assert str(isolated_paths.config_file) in err
    assert "usage_interval" in err and "critical" in err


def test_a_non_positive_demo_speed_is_refused(capsys) -> None:
    assert launch.run(_args(demo=True, demo_speed=-1)) == 2
    assert "--demo-speed" in capsys.readouterr().err


async def test_the_demo_runs_against_the_simulator_with_its_own_credentials(isolated_paths) -> None:
    session = launch.start_demo(Config(), speed=60)
    try:
        assert session.simulator.base_url.startswith("http://127.0.0.1:")
        app = LimitwatchApp(session.monitor, session.clock, Config(), None, tz=UTC, demo=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.sub_title == "demo"
            assert "%" in bar_text(app, "window:five_hour")
            assert "oauth_usage ok" in screen_text(app)
        paths = {request.path for request in session.simulator.requests}
        assert "/api/oauth/usage" in paths and "/v1/messages" in paths  # the probe is on
    finally:
        session.stop()
    # Nothing of the demo lands in the user's history or cache.
    assert not list(isolated_paths.cache.iterdir())
    assert not list(isolated_paths.data.iterdir())  # no history, no last error


def test_without_credentials_the_app_gets_the_lines_of_what_was_looked_for(
    isolated_paths, monkeypatch
) -> None:
    built = launch._live_app(Config(), lambda: None)
    assert isinstance(built, LimitwatchApp)
    assert built.no_credentials is not None
    text = "\n".join(built.no_credentials)
    assert str(isolated_paths.claude) in text
    assert "ANTHROPIC_API_KEY" in text


async def test_without_credentials_nothing_lands_in_the_data_folder(isolated_paths) -> None:
    """Opening limitwatch before signing in (and leaving, or taking the demo) leaves no empty
    history database behind."""
    built = launch._live_app(Config(), lambda: None)
    assert isinstance(built, LimitwatchApp)
    async with built.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert built.no_credentials is not None
    data = isolated_paths.data
    assert not data.exists() or not list(data.iterdir())


def test_with_an_api_key_the_live_view_opens_directly(isolated_paths, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + "x" * 40)
    built = launch._live_app(Config(), lambda: None)
    assert isinstance(built, LimitwatchApp)
    assert built.no_credentials is None


def test_plain_http_to_a_remote_base_url_is_refused(isolated_paths, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://example.com")
    assert launch._live_app(Config(), lambda: None) == 2
    assert "http" in capsys.readouterr().err
