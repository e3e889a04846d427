"""Issue 14, items 3 and 7: damaged files (deep nesting, a FIFO, a huge file) give a clear
message and the documented exit code, never a traceback or a hang; the common options work
after any sub-command."""

from __future__ import annotations

import contextlib
import json
import os
import threading

import pytest

from tui.cli import main

DEEP_TOML = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_JSON = "[" * 100_000 + "]" * 100_000


def _in_thread(fn, fifo=None, timeout: float = 10.0):
    """Run ``fn``; if it is still running after ``timeout`` s (blocked on ``fifo``), release
    it and fail."""
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(fn()), daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        if fifo is not None:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(5)
        pytest.fail(f"still running after {timeout} s")
    return result[0]


@pytest.mark.parametrize("command", [["config", "validate"], ["status", "--json"], ["doctor"]])
def test_a_deeply_nested_config_is_a_config_error_with_exit_2(isolated_paths, capsys, command):
    isolated_paths.config_file.write_text(DEEP_TOML)
    code = main([*command, "--config", str(isolated_paths.config_file)])
    err = capsys.readouterr().err
    assert code == 2
    assert "nested too deeply" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_as_the_config_is_refused_at_once(isolated_paths, capsys):
    fifo = isolated_paths.root / "config.toml"
    os.mkfifo(fifo)
    code = _in_thread(lambda: main(["config", "validate", "--config", str(fifo)]), fifo)
    assert code == 2
    assert "not a regular file" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_at_the_credentials_path_hangs_neither_status_nor_doctor(isolated_paths, capsys):
    isolated_paths.claude.mkdir(parents=True, exist_ok=True)
    fifo = isolated_paths.claude / ".credentials.json"
    os.mkfifo(fifo)
    code = _in_thread(lambda: main(["status", "--json"]), fifo)
    assert code == 20
    json.loads(capsys.readouterr().out)
    code = _in_thread(lambda: main(["doctor"]), fifo)
    assert code == 1
    assert "not a regular file" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (DEEP_JSON, "nested too deeply"),
        ('{"claudeAiOauth": {"accessToken": "' + "x" * 1_100_000 + '"}}', "larger than"),
    ],
    ids=["deeply-nested", "over-1-MB"],
)
def test_a_damaged_credentials_file_is_a_problem_doctor_names(
    isolated_paths, capsys, content, words
):
    isolated_paths.claude.mkdir(parents=True, exist_ok=True)
    (isolated_paths.claude / ".credentials.json").write_text(content)
    assert main(["status", "--json"]) == 20
    json.loads(capsys.readouterr().out)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert words in out and "Traceback" not in out


def test_common_options_are_accepted_after_every_config_action(isolated_paths, capsys):
    target = isolated_paths.root / "elsewhere.toml"
    assert main(["config", "init", "--config", str(target)]) == 0
    assert target.is_file()
    assert main(["config", "validate", "--config", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    assert main(["config", "show", "--config", str(target)]) == 0
    assert f"# config file: {target}" in capsys.readouterr().out
    assert main(["config", "path", "--config", str(target)]) == 0
    assert capsys.readouterr().out.startswith(str(target))
    # before the action, as before
    assert main(["config", "--config", str(target), "validate"]) == 0
