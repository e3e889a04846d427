"""`limitwatch config init|path|show|validate`, run the way a user runs them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui import config as cfg
from tui.cli import main


def state_of(path: Path) -> object:
    """Everything a user could notice about a path: kind, bytes, mtime, mode, folder listing."""
    if path.is_dir():
        return ("dir", sorted(p.name for p in path.iterdir()), path.stat().st_mtime_ns)
    if path.is_file():
        info = path.stat()
        return ("file", path.read_bytes(), info.st_mtime_ns, stat.S_IMODE(info.st_mode))
    return ("missing",)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- path


def test_path_shows_the_default_location_and_that_it_is_missing(capsys, isolated_paths):
    code, out, _ = run(capsys, "config", "path")
    assert code == 0
    first, second = out.splitlines()
    assert first == str(isolated_paths.config_file)
    assert "does not exist" in second and "default location" in second


def test_path_follows_config_flag_and_environment(capsys, tmp_path, monkeypatch):
    env_file = tmp_path / "env.toml"
    env_file.write_text("")
    monkeypatch.setenv("LIMITWATCH_CONFIG", str(env_file))
    code, out, _ = run(capsys, "config", "path")
    assert code == 0
    assert out.splitlines() == [str(env_file), "# exists; chosen by $LIMITWATCH_CONFIG"]

    flag_file = tmp_path / "flag.toml"
    for argv in (
        ["--config", str(flag_file), "config", "path"],
        ["config", "--config", str(flag_file), "path"],
    ):
        code, out, _ = run(capsys, *argv)
        assert out.splitlines()[0] == str(flag_file)
        assert "chosen by --config" in out


# --------------------------------------------------------------------------- init


def test_init_writes_a_private_commented_file_with_the_defaults(capsys, isolated_paths):
    path = isolated_paths.config_file
    path.parent.rmdir()  # the platform folder may not exist yet
    code, out, _ = run(capsys, "config", "init")
    assert code == 0
    assert str(path) in out
    assert path.read_text() == cfg.default_config_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cfg.load_config(path) == cfg.Config(path=path)


def test_init_refuses_to_overwrite_without_force(capsys, isolated_paths):
    path = isolated_paths.config_file
    path.write_text("[poll]\nusage_interval = 120\n")
    before = state_of(path)
    code, out, err = run(capsys, "config", "init")
    assert code == 2
    assert out == ""
    assert err.strip() == f"{path}: already exists; add --force to replace it with the defaults"
    assert state_of(path) == before


def test_init_force_replaces_the_file(capsys, isolated_paths):
    path = isolated_paths.config_file
    path.write_text("[poll]\nusage_interval = 120\n")
    path.chmod(0o644)
    code, out, _ = run(capsys, "config", "init", "--force")
    assert code == 0
    assert out.startswith(f"replaced {path}")
    assert cfg.load_config(path).poll.usage_interval == 300
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_init_force_on_a_folder_is_refused(capsys, isolated_paths):
    folder = isolated_paths.config_file
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    before = state_of(folder)
    code, _, err = run(capsys, "config", "init", "--force")
    assert code == 2
    assert err.strip() == f"{folder}: is a folder, not a config file"
    assert state_of(folder) == before


# --------------------------------------------------------------------------- validate


def test_validate_a_good_file_and_a_missing_one(capsys, isolated_paths):
    path = isolated_paths.config_file
    code, out, _ = run(capsys, "config", "validate")
    assert (code, out.strip()) == (0, f"ok: {path} (no file: defaults are in use)")
    path.write_text("[thresholds]\nwarning = 60\n")
    code, out, err = run(capsys, "config", "validate")
    assert (code, out.strip(), err) == (0, f"ok: {path}", "")


def test_validate_lists_every_problem_on_stderr(capsys, isolated_paths):
    path = isolated_paths.config_file
    path.write_text(
        '[thresholds]\nwarnin = 80\n[poll]\nusage_interval = 5\n[probe]\nenabled = "on"\n'
    )
    before = state_of(path)
    code, out, err = run(capsys, "config", "validate")
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[:3] == [
        f'{path}:2: thresholds.warnin: unknown key (did you mean "warning"?)',
        f"{path}:4: poll.usage_interval: must be at least 60 seconds, got 5",
        f'{path}:6: probe.enabled: must be "auto", true or false, got "on" (a string)',
    ]
    assert lines[3] == "limitwatch: 3 problems in the config"
    assert state_of(path) == before


# --------------------------------------------------------------------------- bad input


EXISTS = "already exists; add --force to replace it with the defaults"


def _not_toml(path: Path) -> tuple[Path, str, str]:
    path.write_text("[poll]\nusage_interval: 300\n")
    return path, f"{path}:2: not valid TOML", f"{path}: {EXISTS}"


def _wrong_type(path: Path) -> tuple[Path, str, str]:
    path.write_text('[notify]\nbell = "yes"\n')
    return path, f"{path}:2: notify.bell: must be true or false", f"{path}: {EXISTS}"


def _one_letter_off(path: Path) -> tuple[Path, str, str]:
    path.write_text("[poll]\nusage_interva = 300\n")
    expected = f'{path}:2: poll.usage_interva: unknown key (did you mean "usage_interval"?)'
    return path, expected, f"{path}: {EXISTS}"


def _out_of_order(path: Path) -> tuple[Path, str, str]:
    path.write_text("[thresholds]\nwarning = 90\ncritical = 80\n")
    expected = f"{path}:3: thresholds.critical: critical (80) must be above warning (90)"
    return path, expected, f"{path}: {EXISTS}"


def _directory(path: Path) -> tuple[Path, str, str]:
    path.mkdir()
    (path / "inside.txt").write_text("mine")
    expected = f"{path}: is a folder, not a config file"
    return path, expected, expected


def _not_utf8(path: Path) -> tuple[Path, str, str]:
    path.write_bytes(b'[probe]\nmodel = "\xff"\n')
    return path, f"{path}:2: is not UTF-8 text", f"{path}: {EXISTS}"


def _parent_is_a_file(path: Path) -> tuple[Path, str, str]:
    path.write_text("I am a file")
    inner = path / "config.toml"
    return (
        inner,
        f"{inner}: cannot be read: {path} is a file, not a folder",
        f"{inner}: cannot be written: {path} is a file, not a folder",
    )


BAD_INPUTS = {
    "not toml": _not_toml,
    "wrong type": _wrong_type,
    "unknown key one letter off": _one_letter_off,
    "thresholds out of order": _out_of_order,
    "path is a directory": _directory,
    "not utf-8": _not_utf8,
    "parent is a file": _parent_is_a_file,
}


@pytest.mark.parametrize("make", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
@pytest.mark.parametrize("action", ["validate", "show", "init"])
def test_bad_input_gives_one_clear_message_exit_2_and_changes_nothing(
    capsys, tmp_path, make, action
):
    folder = tmp_path / "cfg"
    folder.mkdir()
    watched = folder / "config.toml"
    path, expected_read, expected_init = make(watched)
    before = state_of(watched)
    code, out, err = run(capsys, "--config", str(path), "config", action)
    assert code == 2
    assert out == ""
    [line] = err.splitlines()
    if action == "init":
        assert line == expected_init
    else:
        assert line.startswith(expected_read)
    assert state_of(watched) == before
    assert [p.name for p in folder.iterdir()] == ["config.toml"]  # no temp file left


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_an_unreadable_file_gives_exit_2(capsys, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[poll]\n")
    path.chmod(0)
    try:
        code, _, err = run(capsys, "--config", str(path), "config", "validate")
    finally:
        path.chmod(0o600)
    assert code == 2
    assert err.strip() == f"{path}: cannot be read: permission denied"


def test_a_read_error_as_root_gives_exit_2(capsys, tmp_path, monkeypatch):
    """Root reads chmod 000 files, so the permission error is raised where the read happens."""
    path = tmp_path / "config.toml"
    path.write_text("[poll]\n")
    before = state_of(path)

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, _, err = run(capsys, "--config", str(path), "config", "show")
    monkeypatch.undo()
    assert code == 2
    assert err.strip() == f"{path}: cannot be read: permission denied"
    assert state_of(path) == before


# --------------------------------------------------------------------------- show


def test_show_prints_effective_values_and_where_each_came_from(capsys, isolated_paths, monkeypatch):
    path = isolated_paths.config_file
    path.write_text(
        "[thresholds]\nwarning = 60\n[thresholds.seven_day]\ncritical = 80\n"
        '[notify]\ncommand = "notify-send hi"\n'
    )
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://user:hunter2@127.0.0.1:9000/")
    before = state_of(path)
    code, out, err = run(capsys, "config", "show")
    assert (code, err) == (0, "")
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[0] == f"# config file: {path}"
    assert "warning = 60 # file" in lines
    assert "critical = 90 # default" in lines
    at = lines.index("[thresholds.seven_day]")
    assert lines[at + 1 : at + 3] == ["warning = 60 # [thresholds]", "critical = 80 # file"]
    assert 'command = "notify-send hi" # file' in lines
    assert "usage_interval = 300 # default" in lines
    assert "# claude_config_dir is not set # default" not in lines  # conftest sets it
    assert 'base_url = "http://user:***@127.0.0.1:9000/" # env ANTHROPIC_BASE_URL' in lines
    assert "hunter2" not in out
    assert state_of(path) == before


def test_show_without_a_file_shows_defaults(capsys, isolated_paths):
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "does not exist" in out
    assert "# command is not set # default" in [" ".join(x.split()) for x in out.splitlines()]
    assert not isolated_paths.config_file.exists()
