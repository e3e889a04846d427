"""Started as ``limitwatch``, a one-shot command runs without the cycle collector (it ends
within seconds) and a long-running one gets it back before it starts."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tui.cli import main


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.disable()  # as tui/__main__.py leaves it
    try:
        yield
    finally:
        gc.enable()


def test_a_long_running_command_turns_the_collector_back_on(collector_off, capsys) -> None:
    assert main(["simulate", "--list"]) == 0  # the same path as the live view and export
    assert gc.isenabled()


def test_a_one_shot_command_leaves_it_off(collector_off, isolated_paths, capsys) -> None:
    main(["explain", "--json", "You're out of extra usage"])
    assert not gc.isenabled()


def test_the_entry_point_runs_status_without_it_and_the_answer_is_whole(isolated_paths) -> None:
    code = (
        "import gc, sys\n"
        "import tui.__main__ as entry\n"
        "rc = entry.main(['status', '--json'])\n"
        "print('COLLECTOR', gc.isenabled(), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert "COLLECTOR False" in done.stderr, done.stderr
    assert '"schema": 1' in done.stdout


def test_the_live_view_starts_without_it_and_runs_with_it(
    collector_off, isolated_paths, monkeypatch
) -> None:
    from tui.ui.app import LimitwatchApp

    seen: dict[str, object] = {}
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    def run(self, *args, **kwargs) -> int:
        seen["collections before"] = len(collections)
        seen["enabled"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()
        return 0

    monkeypatch.setattr(LimitwatchApp, "run", run)
    gc.callbacks.append(count)
    try:
        assert main(["--demo"]) == 0
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()
    assert seen["collections before"] == 0  # the start made no garbage worth a collection
    assert seen["enabled"] is True  # on for the hours it runs
    assert seen["frozen"] > 10_000  # what the start made is out of its walks
