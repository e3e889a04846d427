"""On Linux limitwatch finds its folders without importing platformdirs (a tenth of a warm
``status``): for every mix of ``HOME`` and ``XDG_*`` values it must find the same folders as
the platformdirs installed, or fail the same way."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from unittest import mock

import platformdirs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui import paths

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the XDG rules are Linux's")

VALUES = st.one_of(
    st.none(),  # unset
    st.sampled_from(["", "/", "/home/ana", "/home/ana/", "//srv/x", "rel", "rel/x", "~/x", " /x"]),
    st.sampled_from(["/tmp/xdg", "/tmp/with space", "/tmp/ünï"]),
)
VARIABLES = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
THEIRS = {
    "config": platformdirs.user_config_path,
    "data": platformdirs.user_data_path,
    "cache": platformdirs.user_cache_path,
}


def _answer(find):  # the folder, or the kind of error
    try:
        return find()
    except RuntimeError:
        return RuntimeError


@given(st.fixed_dictionaries({name: VALUES for name in VARIABLES}))
def test_each_folder_is_the_one_platformdirs_gives(values: dict[str, str | None]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update({k: v for k, v in values.items() if v is not None})
    with mock.patch.dict(os.environ, env, clear=True):
        for kind, theirs in THEIRS.items():
            ours = _answer(lambda kind=kind: paths._xdg_user_dir(kind))
            assert ours == _answer(lambda theirs=theirs: theirs("limitwatch")), (kind, values)


def test_the_folders_a_user_gets(monkeypatch) -> None:
    monkeypatch.setenv("HOME", "/home/ana")
    for name in VARIABLES[1:]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("LIMITWATCH_DATA_DIR", raising=False)
    monkeypatch.delenv("LIMITWATCH_CACHE_DIR", raising=False)
    assert paths.data_dir() == Path("/home/ana/.local/share/limitwatch")
    assert paths.cache_dir() == Path("/home/ana/.cache/limitwatch")
    monkeypatch.setenv("XDG_CACHE_HOME", "/fast/cache")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert paths.cache_dir() == Path("/fast/cache/limitwatch")
    assert paths.data_dir() == Path("/home/ana/.local/share/limitwatch")


def test_an_android_app_is_left_to_platformdirs(monkeypatch) -> None:
    monkeypatch.setenv("ANDROID_DATA", "/data")
    monkeypatch.setenv("ANDROID_ROOT", "/system")
    assert not paths._plain_linux()
