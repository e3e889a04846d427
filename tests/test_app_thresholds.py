"""The thresholds editor (``t``): inline validation, saving to the TOML file, the new levels."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from tests import fakes
from tests.fakes import FakeMonitor, make_app, screen_text, settle, toasts
from tui.config import Config, ConfigError, Thresholds, config_from_mapping, load_config
from tui.ui.screens.thresholds import GLOBAL, ThresholdsScreen, validate_thresholds

DEFAULT = Thresholds()


def test_valid_global_values() -> None:
    base, windows, problems = validate_thresholds({GLOBAL: ("60", "85.5")}, DEFAULT)
    assert problems == []
    assert base == Thresholds(60, 85.5) and windows == {}


def test_critical_must_be_above_warning() -> None:
    _, _, problems = validate_thresholds({GLOBAL: ("90", "90")}, DEFAULT)
    assert problems == ["critical must be above warning"]


def test_out_of_range_and_missing_values_are_named() -> None:
    _, _, problems = validate_thresholds({GLOBAL: ("150", "")}, DEFAULT)
    assert "warning: 150 is outside 0-100" in problems
    assert "critical: required" in problems


def test_not_a_number() -> None:
    _, _, problems = validate_thresholds({GLOBAL: ("7.5.1", "90")}, DEFAULT)
    assert problems == ["warning: '7.5.1' is not a number"]


def test_a_blank_window_row_follows_the_global_values() -> None:
    _, windows, problems = validate_thresholds(
        {GLOBAL: ("70", "90"), "five_hour": ("", ""), "seven_day": ("50", "")}, DEFAULT
    )
    assert problems == []
    assert "five_hour" not in windows
    assert windows["seven_day"] == Thresholds(50, 90)  # blank critical falls back


def test_a_window_row_is_checked_against_its_effective_values() -> None:
    _, _, problems = validate_thresholds({GLOBAL: ("70", "90"), "seven_day": ("95", "")}, DEFAULT)
    assert problems == ["Weekly: critical must be above warning"]


async def _open_editor(app, pilot) -> ThresholdsScreen:
    await settle(pilot)
    await pilot.press("t")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ThresholdsScreen)
    return screen


def _set(screen: ThresholdsScreen, field: str, value: str) -> None:
    screen.query_one(f"#{field}", Input).value = value


async def test_t_opens_inputs_for_the_global_and_each_shown_window(isolated_paths) -> None:
    app = make_app(FakeMonitor(fakes.healthy()), config_path=isolated_paths.config_file)
    async with app.run_test(size=(80, 30)) as pilot:
        screen = await _open_editor(app, pilot)
        assert screen.query_one("#warning-global", Input).value == "75"
        assert screen.query_one("#critical-global", Input).value == "90"
        for window_id in ("five_hour", "seven_day", "seven_day_sonnet"):
            assert screen.query_one(f"#warning-{window_id}", Input).value == ""
        text = screen_text(app)
        assert "Saving rewrites the file without its comments." in text
        assert str(isolated_paths.config_file) in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main
    assert not isolated_paths.config_file.exists()


async def test_invalid_values_show_the_problem_inline_and_write_nothing(isolated_paths) -> None:
    app = make_app(FakeMonitor(fakes.healthy()), config_path=isolated_paths.config_file)
    async with app.run_test(size=(80, 30)) as pilot:
        screen = await _open_editor(app, pilot)
        _set(screen, "warning-global", "95")
        await pilot.click("#save")
        await pilot.pause()
        error = screen.query_one("#threshold-error")
        assert error.display
        assert "critical must be above warning" in str(error.render())
        assert app.screen is screen  # still open, so the user can fix it
    assert not isolated_paths.config_file.exists()


async def test_saving_writes_the_file_and_recolours_the_bars(isolated_paths) -> None:
    path = isolated_paths.config_file
    path.write_text("# my comment\n[poll]\nusage_interval = 600\n", encoding="utf-8")
    config = load_config(path)
    monitor = FakeMonitor(fakes.healthy())
    app = make_app(monitor, config=config, config_path=path)
    async with app.run_test(size=(80, 30)) as pilot:
        screen = await _open_editor(app, pilot)
        _set(screen, "warning-global", "30")
        _set(screen, "critical-global", "50")
        _set(screen, "warning-seven_day", "10")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.main
        assert any("thresholds saved" in t for t in toasts(app))
        assert app.config.thresholds == Thresholds(30, 50)
        assert monitor.config.thresholds == Thresholds(30, 50)
    saved = tomllib.loads(path.read_text(encoding="utf-8"))
    assert saved["thresholds"]["warning"] == 30
    assert saved["thresholds"]["critical"] == 50
    assert saved["thresholds"]["seven_day"]["warning"] == 10
    assert saved["poll"]["usage_interval"] == 600  # other values kept
    assert load_config(path).thresholds_for("seven_day") == Thresholds(10, 50)


async def test_overrides_of_windows_not_on_screen_are_kept(isolated_paths) -> None:
    path = isolated_paths.config_file
    path.write_text("[thresholds.seven_day_opus]\nwarning = 40\n", encoding="utf-8")
    config = load_config(path)
    app = make_app(FakeMonitor(fakes.healthy()), config=config, config_path=path)
    async with app.run_test(size=(80, 30)) as pilot:
        screen = await _open_editor(app, pilot)
        _set(screen, "warning-global", "70")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert load_config(path).thresholds_for("seven_day_opus").warning == 40
    assert load_config(path).thresholds.warning == 70


async def test_a_broken_config_file_is_not_overwritten(isolated_paths) -> None:
    path = isolated_paths.config_file
    path.write_text("[thresholds]\nwarning = 'high'\n", encoding="utf-8")
    app = make_app(FakeMonitor(fakes.healthy()), config=Config(path=path), config_path=path)
    async with app.run_test(size=(80, 30)) as pilot:
        screen = await _open_editor(app, pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "warning" in str(screen.query_one("#threshold-error").render())
    assert path.read_text(encoding="utf-8") == "[thresholds]\nwarning = 'high'\n"


_TYPED = st.one_of(
    st.floats(min_value=-50, max_value=150, allow_nan=False).map(lambda v: f"{v:g}"),
    st.sampled_from(["0", "100", "100.5", "-0", "75", "90", "99.99"]),
)


@settings(max_examples=80, deadline=None)
@given(warning=_TYPED, critical=_TYPED, window_warning=st.none() | _TYPED)
def test_the_editor_accepts_exactly_what_the_config_file_accepts(
    warning: str, critical: str, window_warning: str | None
) -> None:
    """One set of rules: what the form takes, `config validate` takes, and the other way."""
    form = {GLOBAL: (warning, critical)}
    table: dict[str, object] = {"warning": float(warning), "critical": float(critical)}
    if window_warning is not None:
        form["seven_day"] = (window_warning, "")
        table["seven_day"] = {"warning": float(window_warning)}
    _, _, problems = validate_thresholds(form, DEFAULT)
    try:
        config_from_mapping({"thresholds": table})
    except ConfigError:
        file_ok = False
    else:
        file_ok = True
    assert (problems == []) == file_ok, problems
