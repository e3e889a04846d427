"""Headers before words: the unified headers decide the class and the plan's headroom."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tui.clock import ManualClock
from tui.config import Config, ProbeConfig
from tui.explain import UsageContext, classify, header_overage, header_windows
from tui.models import ErrorResponse, Overage, Window
from tui.simulator import SIM_OAUTH_TOKEN, Simulator
from tui.sources.credentials import CredentialStore, OAuthCredentials
from tui.sources.http import make_client
from tui.sources.probe import ProbeSource, parse_overage_headers

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
U = "anthropic-ratelimit-unified-"
OUT_OF_EXTRA = "You're out of extra usage. Add more at claude.ai/settings/usage and keep going."
SEED_HEADERS = {
    U + "status": "rejected",
    U + "representative-claim": "overage",
    U + "5h-utilization": "0.06",
    U + "5h-status": "allowed",
    U + "5h-reset": str(int((NOW + timedelta(hours=3)).timestamp())),
    U + "7d-utilization": "0.15",
    U + "7d-status": "allowed",
    U + "overage-status": "rejected",
    U + "overage-disabled-reason": "out_of_credits",
    U + "overage-utilization": "1.0",
}


def error(status: int, message: str, headers: dict[str, str], etype="invalid_request_error"):
    body = json.dumps({"type": "error", "error": {"type": etype, "message": message}})
    return ErrorResponse(status, headers, body, NOW, "probe")


def test_seed_with_the_usage_endpoint_throttled_reads_the_numbers_from_the_headers() -> None:
    # No plan numbers from the usage endpoint at all: the error's own headers carry 6% and 15%.
    result = classify(error(400, OUT_OF_EXTRA, SEED_HEADERS), context=None, now=NOW, tz=UTC)
    assert result.class_id == "extra_usage_exhausted"
    assert result.plan_has_headroom is True
    assert "no plan numbers" not in result.explanation
    assert "Your plan still has headroom: 5-hour session 6% used, weekly 15% used." in (
        result.explanation
    )
    assert "ran out." in result.explanation  # the server's out_of_credits, said


def test_header_numbers_win_over_older_usage_endpoint_numbers() -> None:
    old = UsageContext(windows=(Window("five_hour", 100.0, None, "oauth_usage", NOW),))
    result = classify(error(400, OUT_OF_EXTRA, SEED_HEADERS), context=old, now=NOW)
    assert result.plan_has_headroom is True
    assert "6% used" in result.explanation and "100%" not in result.explanation


def test_probe_windows_and_overage_in_the_context_decide_a_bare_usage_limit() -> None:
    # Claude Code's synthetic line, while the probe saw the plan fine and the overage refused.
    context = UsageContext(
        windows=(
            Window("five_hour", 6.0, None, "probe", NOW, server_status="allowed"),
            Window("seven_day", 15.0, None, "probe", NOW, server_status="allowed"),
        ),
        overage=Overage("rejected", "org_spend_cap_reached", None, None, NOW),
    )
    text = "API Error: Request rejected (429) · The usage limit has been reached"
    result = classify(text, context=context, now=NOW)
    assert result.class_id == "extra_usage_exhausted"
    assert result.window_id == "overage"
    assert result.plan_has_headroom is True
    assert "your organisation reached its spend cap" in result.explanation
    assert any("Ask your workspace admin" in a for a in result.actions)


def test_without_an_overage_refusal_the_bare_usage_limit_stays_a_plan_limit() -> None:
    context = UsageContext(windows=(Window("five_hour", 6.0, None, "probe", NOW),))
    text = "API Error: Request rejected (429) · The usage limit has been reached"
    assert classify(text, context=context, now=NOW).class_id == "plan_limit_reached"


def test_a_rejected_window_in_the_headers_is_a_plan_limit_whatever_the_words() -> None:
    headers = {U + "status": "rejected", U + "7d-status": "rejected", U + "7d-utilization": "1.0"}
    result = classify(error(429, "Rate limited", headers, "rate_limit_error"), now=NOW)
    assert result.class_id == "plan_limit_reached"
    assert result.window_id == "seven_day"
    assert result.plan_has_headroom is False


def test_a_status_without_a_number_keeps_the_older_number() -> None:
    context = UsageContext(windows=(Window("five_hour", 40.0, None, "oauth_usage", NOW),))
    headers = {U + "5h-status": "rejected"}
    result = classify(
        error(429, "Rate limited", headers, "rate_limit_error"), context=context, now=NOW
    )
    assert result.class_id == "plan_limit_reached"
    assert result.plan_has_headroom is False


def test_header_readers_are_tolerant() -> None:
    headers = {U + "5h-utilization": "nan", U + "7d-utilization": "x", U + "7d-status": "allowed"}
    windows = {w.id: w for w in header_windows(headers, NOW)}
    assert set(windows) == {"seven_day"}
    assert windows["seven_day"].used_percent is None
    assert header_overage({U + "overage-utilization": "1e400"}, NOW) is None
    overage = header_overage({U + "overage-status": "allowed_warning"}, NOW)
    assert overage is not None and overage.status == "allowed_warning"


def test_probe_parses_the_overage_headers() -> None:
    overage = parse_overage_headers(
        {
            "Anthropic-Ratelimit-Unified-Overage-Status": "rejected",
            U + "overage-disabled-reason": "org_level_disabled\x1b[31m",
            U + "overage-utilization": "0.42",
            U + "overage-reset": "1776157200",
        },
        NOW,
    )
    assert overage == Overage(
        status="rejected",
        disabled_reason="org_level_disabled31m",
        used_percent=42.0,
        resets_at=datetime.fromtimestamp(1776157200, UTC),
        observed_at=NOW,
        source="probe",
    )
    assert parse_overage_headers({U + "5h-utilization": "0.1"}, NOW) is None


def test_an_errors_own_answer_is_read_as_the_probe_reads_it() -> None:
    """One reader of the unified headers: the same answer gives the same overage (header
    names in any case, a control sequence in a value dropped), whoever reads it."""
    headers = {
        "Anthropic-Ratelimit-Unified-Overage-Status": "rejected",
        U + "overage-disabled-reason": "Out_Of_Credits\x1b[31m",
        U + "overage-utilization": "1.0",
    }
    probe = parse_overage_headers(headers, NOW)
    error = header_overage(headers, NOW)
    assert error is not None and probe is not None
    assert error.disabled_reason == "out_of_credits31m" and error.status == "rejected"
    assert replace(error, source="probe") == probe


async def test_probe_against_the_simulator_carries_the_overage_to_the_classifier() -> None:
    clock = ManualClock()
    oauth = OAuthCredentials(
        SIM_OAUTH_TOKEN, None, ("user:inference", "user:profile"), "max", None, "file"
    )
    probe = ProbeSource(
        CredentialStore.fixed(oauth=oauth),
        config=Config(probe=ProbeConfig(enabled=True)),
        clock=clock,
    )
    with Simulator("extra-usage-misbilled", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await probe.fetch(client)
    assert result.overage is not None
    assert (result.overage.status, result.overage.disabled_reason) == ("rejected", "out_of_credits")
    assert isinstance(result.error, ErrorResponse)
    # the monitor classifies before it folds the windows in: the headers alone must do
    context = UsageContext(overage=result.overage)
    explained = classify(result.error, context=context, now=clock.now(), tz=UTC)
    assert explained.class_id == "extra_usage_exhausted"
    assert explained.plan_has_headroom is True
    assert "6% used" in explained.explanation and "15% used" in explained.explanation
    with_windows = replace(context, windows=result.windows)
    assert classify(result.error, context=with_windows, now=clock.now()).plan_has_headroom is True


def test_a_bare_server_throttle_is_not_taken_for_the_overage() -> None:
    context = UsageContext(
        windows=(Window("five_hour", 6.0, None, "probe", NOW),),
        overage=Overage("rejected", "out_of_credits", None, None, NOW),
    )
    result = classify(error(429, "Rate limited", {}, "rate_limit_error"), context=context, now=NOW)
    assert result.class_id == "server_throttled"
    assert "not your usage limit" in result.explanation
