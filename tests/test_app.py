"""The live view with a fake monitor: what a person sees for each state and each key."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from tests import fakes
from tests.fakes import T0, FakeMonitor, bar, bar_text, make_app, screen_text, settle, toasts
from tui.models import Event, ExtraUsage, RateLimit, Snapshot, SourceState
from tui.ui.app import poll_delay
from tui.ui.widgets.quota_bar import QuotaBar

# -- what the main screen shows ---------------------------------------------------------------


async def test_healthy_bars_show_percent_reset_source_and_age() -> None:
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        five = bar_text(app, "window:five_hour")
        assert "5-hour session" in five and "33%" in five
        assert "resets in 2h 13m (11:13) · oauth_usage · 3 min ago" in five
        weekly = bar_text(app, "window:seven_day")
        assert "resets in 2d 16h (Fri 01:00)" in weekly  # another day: with the weekday
        assert "warning" not in five and "STALE" not in five
        assert bar(app, "window:five_hour").has_class("-ok")


async def test_levels_colour_bars_by_class_and_name_the_level() -> None:
    app = make_app(FakeMonitor(fakes.approaching()))
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        assert bar(app, "window:five_hour").has_class("-critical")
        assert bar(app, "window:seven_day").has_class("-warning")
        assert bar(app, "window:seven_day_opus").has_class("-exhausted")
        assert not bar(app, "window:five_hour").has_class("-ok")
        assert "92%  critical" in bar_text(app, "window:five_hour")
        assert "100%  exhausted" in bar_text(app, "window:seven_day_opus")
        assert "full at ~09:20" in bar_text(app, "window:five_hour")
        assert "on pace to run out Wed 14:00" in bar_text(app, "window:seven_day")


async def test_a_level_change_toggles_classes_in_place_without_new_widgets() -> None:
    monitor = FakeMonitor(fakes.healthy())
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = bar(app, "window:five_hour")
        worse = replace(
            fakes.healthy(),
            windows=(
                fakes.view("five_hour", 80.0, level="warning"),
                *fakes.healthy().windows[1:],
            ),
        )
        monitor.snapshots = [worse]
        monitor.polls = 0
        app.request_poll()
        await settle(pilot)
        assert bar(app, "window:five_hour") is shown
        assert shown.has_class("-warning") and not shown.has_class("-ok")
        assert "80%  warning" in bar_text(app, "window:five_hour")


async def test_five_hour_window_not_started_says_so() -> None:
    snap = replace(
        fakes.healthy(),
        windows=(fakes.view("five_hour", None, resets_in=None, not_started=True),),
    )
    app = make_app(FakeMonitor(snap))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = bar_text(app, "window:five_hour")
        assert "not started — starts with your next message" in text
        assert "0%" not in text


async def test_a_window_without_data_says_no_data_not_zero() -> None:
    snap = replace(
        fakes.healthy(), windows=(fakes.view("seven_day", None, level="unknown", resets_in=None),)
    )
    app = make_app(FakeMonitor(snap))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = bar_text(app, "window:seven_day")
        assert "no data" in text and "0%" not in text
        assert bar(app, "window:seven_day").has_class("-unknown")


async def test_stale_numbers_are_marked_and_the_throttled_source_says_until_when() -> None:
    app = make_app(FakeMonitor(fakes.throttled()))
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        five = bar_text(app, "window:five_hour")
        assert "26 min ago · STALE" in five
        assert bar(app, "window:five_hour").has_class("-stale")
        text = screen_text(app)
        assert "oauth_usage throttled until 09:28 · last ok 26 min ago" in text


async def test_extra_usage_is_money_off_or_uncapped() -> None:
    capped = fakes.healthy()
    app = make_app(FakeMonitor(capped))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "$3.25 of $20.00" in bar_text(app, "extra")
        assert "16%" in bar_text(app, "extra")
        assert capped.extra_usage is not None
        for extra, expected in [
            (replace(capped.extra_usage, limit=None, used_percent=None), "no cap"),
            (
                replace(capped.extra_usage, enabled=False, disabled_reason="out_of_credits"),
                "off",
            ),
        ]:
            app.main.snapshot = replace(capped, extra_usage=extra)
            await pilot.pause()
            assert expected in bar_text(app, "extra")
        assert "disabled: out of credits" in bar_text(app, "extra")


async def test_api_key_rate_limits_show_what_is_left_per_minute() -> None:
    app = make_app(FakeMonitor(fakes.api_key()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        requests = bar_text(app, "rate:requests")
        assert "requests/min" in requests and "45 of 50 left" in requests
        assert bar(app, "rate:tokens").has_class("-critical")  # 90% of tokens used


async def test_the_last_error_panel_names_the_error_when_and_where() -> None:
    app = make_app(FakeMonitor(fakes.seed_error()))
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Out of extra usage, not out of plan" in text
        assert "Your plan windows still have room (5-hour 6%, weekly 15%)." in text
        assert "08:58 (2 min ago) · transcripts (~/code/shop)" in text
        assert "e: full explanation and what to do" in text
        assert "6%" in bar_text(app, "window:five_hour")
        assert "15%" in bar_text(app, "window:seven_day")


async def test_no_error_yet_says_so() -> None:
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "No errors seen." in screen_text(app)


async def test_event_log_is_newest_first_and_bounded() -> None:
    events = tuple(
        Event(at=T0 - timedelta(minutes=i), kind="error", text=f"event {i}") for i in range(80)
    )
    snap = replace(fakes.healthy(), events=tuple(reversed(events)))
    app = make_app(FakeMonitor(snap))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        log = app.main.query_one("#events").build(78).plain.splitlines()
        assert log[0] == "09:00 event 0"
        assert log[1] == "08:59 event 1"
        assert len(log) == 50


async def test_source_states_ok_next_call_and_disabled_why() -> None:
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "oauth_usage ok · next call 09:02" in text
        assert "probe       disabled: opt-in for subscriptions" in text


async def test_a_failing_source_shows_its_error_and_retry_time() -> None:
    error = fakes.extra_usage_error()
    snap = replace(
        fakes.healthy(),
        sources=(
            SourceState(
                id="probe",
                state="error",
                next_attempt_at=T0 + timedelta(minutes=1),
                error=replace(error, title="Server error", class_id="server_error"),
            ),
        ),
    )
    app = make_app(FakeMonitor(snap))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "probe       error: Server error · retry 09:01" in screen_text(app)


# -- narrow and low panes -------------------------------------------------------------------------


async def test_at_40_columns_bars_stack_with_short_labels_and_no_source_name() -> None:
    app = make_app(FakeMonitor(fakes.approaching()))
    async with app.run_test(size=(40, 20)) as pilot:
        await settle(pilot)
        assert app.main.has_class("-narrow")
        lines = bar_text(app, "window:seven_day_opus").splitlines()
        assert lines[0] == "7d Opus  100%  exhausted"
        assert set(lines[1]) <= set("█▉▊▋▌▍▎▏░")  # the bar has its own line
        assert "oauth_usage" not in "\n".join(lines)
        assert len(lines[1]) == bar(app, "window:seven_day_opus").content_region.width <= 40
        assert "$3.25 of $20.00" in bar_text(app, "extra")


async def test_at_120_columns_error_and_events_sit_beside_the_bars() -> None:
    app = make_app(FakeMonitor(fakes.seed_error()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.has_class("-wide")
        left = app.main.query_one("#left").region
        right = app.main.query_one("#right").region
        assert right.x > left.x and right.y == left.y


async def test_a_12_row_pane_hides_the_header_and_still_shows_the_bars() -> None:
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        assert app.main.has_class("-short")
        assert not app.main.query_one("Header").display
        shown = bar(app, "window:five_hour")
        assert shown.region.y < 12 and shown.region.height >= 2


# -- polling ------------------------------------------------------------------------------------


def test_next_poll_is_at_the_monitor_wakeup_clamped() -> None:
    assert poll_delay(T0 + timedelta(seconds=20), T0) == 20
    assert poll_delay(T0 + timedelta(milliseconds=10), T0) == 1.0
    assert poll_delay(T0 - timedelta(seconds=10), T0) == 1.0
    assert poll_delay(T0 + timedelta(minutes=10), T0) == 60.0
    assert poll_delay(None, T0) == 60.0
    assert poll_delay(T0 + timedelta(seconds=300), T0, speed=60) == 5.0  # demo clock


async def test_a_tick_while_a_poll_runs_is_skipped_not_cancelled() -> None:
    monitor = FakeMonitor(fakes.healthy(), fakes.approaching())
    monitor.poll_gate = asyncio.Event()
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert monitor.polls == 1
        app.request_poll()
        app.request_poll()
        await pilot.pause()
        assert monitor.polls == 1  # skipped: the first is still waiting
        running = [w for w in app.workers if w.group == "poll"]
        assert len(running) == 1 and not running[0].is_cancelled
        monitor.poll_gate.set()
        await settle(pilot)
        assert app.main.snapshot == fakes.healthy()


async def test_the_next_poll_is_scheduled_at_the_monitor_wakeup() -> None:
    monitor = FakeMonitor(fakes.healthy())
    monitor.wakeup_in = timedelta(seconds=42)
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        timer = app._poll_timer
        assert timer is not None and timer._interval == 42


async def test_countdowns_tick_once_a_minute_and_every_second_only_near_a_reset() -> None:
    monitor = FakeMonitor(fakes.healthy())
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app._tick_period == 60.0
        near = replace(
            fakes.healthy(),
            windows=(fakes.view("five_hour", 97.0, resets_in=timedelta(seconds=90)),),
        )
        monitor.snapshots = [near]
        monitor.polls = 0
        app.request_poll()
        await settle(pilot)
        assert app._tick_period == 1.0
        assert "resets in 1m 30s" in bar_text(app, "window:five_hour")
        monitor.clock.advance(30)
        app._tick()
        await pilot.pause()
        assert "resets in 1m" in bar_text(app, "window:five_hour")
        monitor.clock.advance(61)  # the window reset; back to minute ticks
        app._tick()
        assert app._tick_period == 60.0


async def test_nothing_repaints_when_nothing_changed() -> None:
    monitor = FakeMonitor(fakes.healthy())
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        repaints: list[str] = []
        for widget in app.main.query(QuotaBar):
            widget.changed = lambda w=widget: repaints.append(w.row.key)  # type: ignore[method-assign]
        app._tick()  # same minute: same text
        app.request_poll()  # same snapshot
        await settle(pilot)
        assert repaints == []
        monitor.clock.advance(60)
        app._tick()
        assert "window:five_hour" in repaints  # the countdown moved a minute


async def test_new_alerts_toast_once_not_on_every_poll() -> None:
    monitor = FakeMonitor(fakes.approaching())
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.request_poll()
        await settle(pilot)
        app.request_poll()
        await settle(pilot)
        assert toasts(app).count("5-hour session at 92%") == 1


async def test_the_app_survives_a_monitor_that_raises() -> None:
    monitor = FakeMonitor(fakes.healthy())
    monitor.poll_error = lambda: RuntimeError("boom")
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.request_poll()
        await settle(pilot)
        assert app.is_running
        assert any("poll failed: RuntimeError: boom" in t for t in toasts(app))
        assert app._poll_timer is not None  # it keeps polling


# -- keys -------------------------------------------------------------------------------------


async def test_u_refreshes_usage_now() -> None:
    monitor = FakeMonitor(fakes.healthy())
    monitor.on_manual = fakes.approaching()
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert monitor.usage_calls == 1
        assert "92%" in bar_text(app, "window:five_hour")


async def test_u_too_early_says_when_it_is_allowed() -> None:
    monitor = FakeMonitor(fakes.healthy())
    monitor.usage_allowed_at = T0 + timedelta(minutes=5)
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "usage refresh allowed at 09:05 (the endpoint throttles)" in toasts(app)
        assert app.main.snapshot == fakes.healthy()


async def test_r_reprobes_and_says_when_the_probe_is_off() -> None:
    monitor = FakeMonitor(fakes.healthy())
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert monitor.probe_calls == 1
        monitor.probe_refused = True
        await pilot.press("r")
        await settle(pilot)
        assert any("re-probe not available: the probe is off" in t for t in toasts(app))
        monitor.probe_allowed_at = T0 + timedelta(seconds=40)
        await pilot.press("r")
        await settle(pilot)
        assert "re-probe allowed in 40s (the server asked to wait)" in toasts(app)
        monitor.probe_allowed_at = T0 + timedelta(seconds=7)
        await pilot.press("r")
        await settle(pilot)
        assert "re-probe allowed in 7s (a probe ran moments ago)" in toasts(app)


async def test_p_pauses_and_resumes_polling() -> None:
    monitor = FakeMonitor(fakes.healthy())
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert monitor.paused
        assert app.sub_title == "PAUSED"
        assert "PAUSED: press p to resume polling" in screen_text(app)
        assert app._poll_timer is None
        polls = monitor.polls
        await pilot.press("p")
        await settle(pilot)
        assert not monitor.paused and app.sub_title == ""
        assert monitor.polls == polls + 1  # resuming polls at once
        assert "PAUSED" not in screen_text(app)


async def test_e_opens_the_full_error_detail() -> None:
    app = make_app(FakeMonitor(fakes.seed_error()))
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        text = screen_text(app)
        assert "Out of extra usage, not out of plan" in text
        assert "Long-context requests always bill extra usage." in text  # the full explanation
        assert "• Raise the extra-usage cap at claude.ai/settings/usage" in text
        assert "extra_usage_exhausted" in text
        assert "400 / invalid_request_error" in text
        assert "You're out of extra usage. Add more at claude.ai/settings/usage" in text
        assert "yes: every known plan window was below 100%" in text
        assert "transcripts (~/code/shop)" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


async def test_e_without_an_error_says_there_is_none() -> None:
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert "No error has been seen" in screen_text(app)


async def test_error_detail_shows_the_retry_time() -> None:
    app = make_app(FakeMonitor(fakes.throttled()))
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert "09:28 (in 28m)" in screen_text(app)


async def test_question_mark_lists_every_key_and_colour() -> None:
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        shown = {str(key.render()) for key in app.screen.query(".help-key")}
        for binding in app.BINDINGS:
            assert (binding.key_display or binding.key) in shown  # type: ignore[union-attr]
        for word in ("warning", "critical", "exhausted", "no data", "STALE"):
            assert word in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


async def test_every_key_is_in_the_command_palette() -> None:
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for binding in app.BINDINGS:
            assert binding.description in titles or binding.action == "quit"  # type: ignore[union-attr]
        assert "Quit" in titles and "Theme" in titles


async def test_q_quits() -> None:
    monitor = FakeMonitor(fakes.healthy())
    app = make_app(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert monitor.closed


async def test_footer_shows_the_keys() -> None:
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        keys = {footer_key.key for footer_key in app.screen.query("FooterKey")}
        assert {"r", "u", "p", "e", "t", "question_mark", "q"} <= keys


# -- no credentials -----------------------------------------------------------------------------


async def test_without_credentials_it_says_what_it_looked_for_and_offers_the_demo() -> None:
    demo_monitor = FakeMonitor(fakes.approaching())
    started: list[bool] = []

    def start_demo():
        started.append(True)
        return demo_monitor, demo_monitor.clock

    idle = FakeMonitor(Snapshot(generated_at=T0))
    looked_for = [
        "Claude sign-in: none found (looked in /home/me/.claude/.credentials.json)",
        "API key: none ($ANTHROPIC_API_KEY is not set)",
    ]
    app = make_app(idle, no_credentials=looked_for, start_demo=start_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No credentials found" in text
        assert "/home/me/.claude/.credentials.json" in text and "$ANTHROPIC_API_KEY" in text
        assert "Press d to try the demo" in text
        assert idle.polls == 0
        await pilot.press("u")  # nothing to refresh here
        await settle(pilot)
        assert idle.usage_calls == 0
        await pilot.press("d")
        await settle(pilot)
        assert started == [True]
        assert app.screen is app.main and app.monitor is demo_monitor
        assert demo_monitor.polls >= 1 and idle.closed
        assert "92%" in bar_text(app, "window:five_hour")


async def test_without_credentials_q_quits() -> None:
    app = make_app(FakeMonitor(), no_credentials=["nothing"], start_demo=None)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        assert "Press d" not in screen_text(app)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_extra_usage_row_computes_percent_when_missing() -> None:
    extra = ExtraUsage(
        enabled=True, used=5.0, limit=20.0, currency="EUR", used_percent=None, observed_at=T0
    )
    snap = Snapshot(
        generated_at=T0,
        extra_usage=extra,
        rate_limits=(RateLimit("requests", 50, 50, None, T0),),
    )
    app = make_app(FakeMonitor(snap))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "€5.00 of €20.00" in bar_text(app, "extra")
        assert "25%" in bar_text(app, "extra")


async def test_no_fast_timers_run_at_idle() -> None:
    """No spinner, no sub-second interval: only the minute tick and the next poll are armed."""
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        armed = [
            timer
            for node in (app, *app.screen.walk_children(with_self=True))
            for timer in getattr(node, "_timers", ())
            if timer._active.is_set()
        ]
        assert {timer.name for timer in armed} == {"countdown", "next-poll"}
        assert all(timer._interval >= 1.0 for timer in armed)


async def test_a_sparkline_of_recent_history_sits_beside_the_bar() -> None:
    snapshot = fakes.healthy()
    climbing = fakes.view("five_hour", 40.0, sparkline=(0.0, 10.0, 20.0, 30.0, 40.0, 100.0))
    snapshot = replace(snapshot, windows=(climbing, *snapshot.windows[1:]))
    app = make_app(FakeMonitor(snapshot))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first_line = bar_text(app, "window:five_hour").splitlines()[0]
        assert "▁▂▂▃▄█" in first_line
        # a window without history shows no spark characters at all
        assert not set("▁▂▃▄▅▆▇") & set(bar_text(app, "window:seven_day").splitlines()[0])
