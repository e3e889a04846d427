"""What the user reads: both vocabularies, workspace seats, local times, unknown errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tui.explain import UsageContext, classify
from tui.models import ErrorResponse, ExtraUsage, Overage, TranscriptError, Window

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
IN_3H = NOW + timedelta(hours=3)
OLD, NEW = "2.1.143", "2.1.144"  # the version that renamed extra usage to usage credits


def win(wid: str, used: float, resets: datetime | None = None, **kw) -> Window:
    return Window(wid, used, resets or IN_3H, "oauth_usage", NOW, **kw)


LOW = UsageContext(windows=(win("five_hour", 6.0), win("seven_day", 15.0)))
SPENT_PLAN = UsageContext(
    windows=(win("five_hour", 100.0), win("seven_day", 64.0, NOW + timedelta(days=3))),
    extra_usage=ExtraUsage(True, 20.0, 20.0, "USD", 100.0, NOW),
)
OUT_OF_EXTRA = "You're out of extra usage. Add more at claude.ai/settings/usage and keep going."
OUT_OF_CREDITS = "You're out of usage credits. Add more at claude.ai/settings/usage and keep going."
LONG = "long_context_requires_extra_usage"
ADMIN_VARIANT = (
    "You're out of extra usage. Ask your workspace admin to add more so you can keep going."
)


def row(text: str, error: str = "rate_limit", status: int | None = 429) -> TranscriptError:
    return TranscriptError(text, error, status, NOW)


def said(result) -> str:
    return " ".join([result.title, result.explanation, *result.actions])


# -- 2. the rename: recognise both vocabularies ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        (
            "Usage credits are required for long context requests.",
            "long_context_requires_extra_usage",
        ),
        ("Extra usage is required for long context requests.", "long_context_requires_extra_usage"),
        (OUT_OF_CREDITS, "extra_usage_exhausted"),
        (OUT_OF_EXTRA, "extra_usage_exhausted"),
        (
            "Third-party apps now draw from your usage credits, not your plan limits.",
            "third_party_billing",
        ),
        (
            "Weekly limit reached · resets Dec 3, 5pm · /upgrade to Max or turn on /usage-credits",
            "plan_limit_reached",
        ),
    ],
)
def test_both_vocabularies_are_recognised(text: str, cls: str) -> None:
    assert classify(text, now=NOW, tz=UTC).class_id == cls


def test_out_of_usage_credits_banner_is_not_a_server_throttle() -> None:
    result = classify(row("You're out of usage credits · resets 9am"), now=NOW, tz=UTC)
    assert result.class_id == "extra_usage_exhausted"
    assert result.retry_at == datetime(2026, 4, 15, 9, 0, tzinfo=UTC)
    assert result.is_limit


# -- 2. ... and speak the user's --------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "term", "absent"),
    [
        (OLD, "extra usage", "usage credits"),
        ("2.0.9 (Claude Code)", "extra usage", "usage credits"),
        (NEW, "usage credits", "extra usage"),
        ("2.2.0", "usage credits", "extra usage"),
        (None, "usage credits (extra usage)", None),
        ("garbage", "usage credits (extra usage)", None),
    ],
)
def test_seed_case_speaks_the_users_word(version, term, absent) -> None:
    result = classify(OUT_OF_EXTRA, context=replace(LOW, claude_code_version=version), now=NOW)
    assert result.class_id == "extra_usage_exhausted"
    assert f"billed to {term} rather than your plan" in result.explanation
    assert any("enable or top it up" in a and term in a for a in result.actions)
    if absent is not None:
        assert absent not in said(result).lower()


@pytest.mark.parametrize(
    ("version", "title"),
    [
        (OLD, "Billed to extra usage, not plan"),
        (NEW, "Billed to usage credits, not plan"),
        (None, "Billed to usage credits (extra usage)"),
    ],
)
def test_titles_carry_the_users_word_and_fit(version, title) -> None:
    result = classify(OUT_OF_CREDITS, context=replace(LOW, claude_code_version=version), now=NOW)
    assert result.title == title


@pytest.mark.parametrize(
    ("version", "title", "words"),
    [
        (OLD, "Out of extra usage", "you are out of extra usage"),
        (NEW, "Out of usage credits", "you are out of usage credits"),
        (None, "Out of usage credits (extra usage)", "you are out of usage credits (extra usage)"),
    ],
)
def test_without_plan_numbers_the_title_and_words_follow_the_version(version, title, words):
    context = UsageContext(claude_code_version=version)
    result = classify(row("You're out of extra usage · resets 9am"), context=context, now=NOW)
    assert result.title == title
    assert words in result.explanation


@pytest.mark.parametrize(
    ("version", "action"),
    [
        (OLD, "turn on extra usage at claude.ai/settings/usage (in Claude Code: /extra-usage)"),
        (NEW, "turn on usage credits at claude.ai/settings/usage (in Claude Code: /usage-credits)"),
        (None, "(in Claude Code: /usage-credits, or /extra-usage before 2.1.144)"),
    ],
)
def test_plan_limit_names_the_users_command(version, action) -> None:
    context = UsageContext(claude_code_version=version)
    result = classify("You've hit your session limit · resets 5am", context=context, now=NOW)
    assert any(action in a for a in result.actions), result.actions


@pytest.mark.parametrize(
    ("version", "title", "served"),
    [
        (OLD, "Long context needs extra usage", "only served from extra usage"),
        (NEW, "Long context needs usage credits", "only served from usage credits"),
        (None, "Long context needs usage credits", "only served from usage credits (extra usage)"),
    ],
)
def test_long_context_in_both_words(version, title, served) -> None:
    context = UsageContext(claude_code_version=version)
    result = classify(
        "Usage credits are required for long context requests.", context=context, now=NOW
    )
    assert result.title == title
    assert served in result.explanation


@pytest.mark.parametrize(("version", "term"), [(OLD, "extra usage"), (NEW, "usage credits")])
def test_real_spend_cap_in_both_words(version, term) -> None:
    result = classify(
        OUT_OF_EXTRA, context=replace(SPENT_PLAN, claude_code_version=version), now=NOW, tz=UTC
    )
    assert result.title == "Spend cap reached"
    assert f"Your {term} ran out too, so this is a real spend cap." in result.explanation
    assert f"{term[0].upper()}{term[1:]}: $20.00 of $20.00 spent." in result.explanation
    assert f"Or raise the monthly {term} cap at claude.ai/settings/usage" in result.actions


# -- 3. Team and Enterprise seats -------------------------------------------------------------


@pytest.mark.parametrize(("version", "term"), [(OLD, "extra usage"), (NEW, "usage credits")])
def test_workspace_member_is_told_to_ask_the_admin(version, term) -> None:
    off = ExtraUsage(False, None, None, "USD", None, NOW)  # the member's own view of it
    context = replace(LOW, extra_usage=off, plan="team", claude_code_version=version)
    result = classify(ADMIN_VARIANT, context=context, now=NOW)
    assert result.class_id == "extra_usage_exhausted"
    assert f"Ask your workspace admin to add more {term} for your seat" in result.actions
    assert not any("top it up" in a or "enable" in a.lower() for a in result.actions)
    # limitwatch does not know the workspace's balance: nothing asserts it is off
    assert "turned off" not in result.explanation
    assert " is off" not in result.explanation


def test_team_plan_without_the_admin_words_gives_both_roads() -> None:
    result = classify(OUT_OF_EXTRA, context=replace(LOW, plan="team"), now=NOW)
    assert any(
        a.startswith("If you manage the workspace") and "otherwise ask your workspace admin" in a
        for a in result.actions
    )


def test_third_party_admin_variant_sends_a_member_to_the_admin() -> None:
    text = (
        "Third-party apps now draw from your extra usage, not your plan limits. Ask your "
        "workspace admin to enable extra usage."
    )
    result = classify(text, context=UsageContext(claude_code_version=OLD), now=NOW)
    assert any("ask your workspace admin for extra usage" in a for a in result.actions)
    assert not any("turn on extra usage at" in a for a in result.actions)


@pytest.mark.parametrize(
    ("reason", "sentence"),
    [
        ("out_of_credits", "Anthropic reports that your extra usage ran out."),
        ("org_level_disabled", "Anthropic reports that your organisation turned extra usage off."),
        ("member_level_disabled", "turned extra usage off for your seat."),
        ("org_spend_cap_reached", "your organisation reached its spend cap."),
        ("overage_not_provisioned", "this account has no extra usage set up."),
        ("something_new", "Anthropic reports that it refused extra usage (something_new)."),
    ],
)
def test_the_servers_overage_reason_is_said_and_attributed(reason, sentence) -> None:
    overage = Overage("rejected", reason, None, None, NOW)
    context = replace(LOW, overage=overage, claude_code_version=OLD)
    result = classify(OUT_OF_EXTRA, context=context, now=NOW)
    assert sentence in result.explanation
    admin = any("Ask your workspace admin" in a for a in result.actions)
    assert admin is (
        reason in ("org_level_disabled", "member_level_disabled", "org_spend_cap_reached")
    )


# -- 4. Claude Code's synthetic 429 ------------------------------------------------------------


def test_request_rejected_usage_limit_reached_is_a_plan_limit() -> None:
    text = "API Error: Request rejected (429) · The usage limit has been reached"
    for item in (text, row(text, "rate_limit", 429)):
        result = classify(item, now=NOW, tz=UTC)
        assert result.class_id == "plan_limit_reached"
        assert result.status == 429
        assert result.is_limit


def test_request_rejected_names_the_full_window_from_the_numbers() -> None:
    text = "API Error: Request rejected (429) · The usage limit has been reached"
    result = classify(text, context=SPENT_PLAN, now=NOW, tz=UTC)
    assert result.window_id == "five_hour"
    assert result.retry_at == IN_3H
    assert result.title == "5-hour limit reached"


# -- 6. local time ---------------------------------------------------------------------------


def test_times_are_worded_in_the_given_zone_with_the_date_when_not_today() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    text = "You've hit your session limit · resets 12:50am (America/Los_Angeles)"
    result = classify(text, now=NOW, tz=berlin)
    # 00:50 in Los Angeles on 15 April is 09:50 in Berlin, not today
    assert "It resets at Wed 15 Apr 09:50 (in 22 h 50 min)." in result.explanation
    assert "UTC" not in result.explanation
    assert result.actions[0] == "Wait for the reset at Wed 15 Apr 09:50 (in 22 h 50 min)"


def test_a_time_today_has_no_date() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")  # 18:00 there at NOW
    result = classify("You've hit your Opus limit · resets 3pm (UTC)", now=NOW, tz=tokyo)
    assert "It resets at Wed 15 Apr 00:00 (in 6 h)." in result.explanation
    result = classify("You've hit your Opus limit · resets 10am (UTC)", now=NOW, tz=UTC)
    assert "It resets at 10:00 (in 1 h)." in result.explanation


def test_a_zoneless_reset_is_read_in_the_users_zone() -> None:
    # Claude Code prints local times; "resets 5pm" for a user in New York is 21:00 UTC.
    new_york = ZoneInfo("America/New_York")
    result = classify("5-hour limit reached ∙ resets 5pm", now=NOW, tz=new_york)
    assert result.retry_at == datetime(2026, 4, 14, 21, 0, tzinfo=UTC)
    assert "It resets at 17:00 (in 12 h)." in result.explanation


# -- 10. unknown errors ----------------------------------------------------------------------


def test_unknown_leads_with_the_message_the_numbers_and_the_signals() -> None:
    item = ErrorResponse(
        418,
        {"x-should-retry": "false", "anthropic-ratelimit-unified-5h-status": "allowed"},
        '{"type":"error","error":{"type":"teapot_error","message":"I am a teapot"}}',
        NOW,
        "probe",
    )
    result = classify(item, context=LOW, now=NOW, tz=UTC)
    assert result.class_id == "unknown"
    assert result.explanation.startswith(
        "limitwatch does not recognise this error: “I am a teapot”."
    )
    assert "Numbers limitwatch has: 5-hour session 6% used; weekly 15% used." in result.explanation
    assert "HTTP status 418" in result.signals
    assert "error type teapot_error" in result.signals
    assert "header anthropic-ratelimit-unified-5h-status: allowed" in result.signals
    assert "header x-should-retry: false" in result.signals
    assert "Signals read: HTTP status 418; error type teapot_error;" in result.explanation
    assert any("limitwatch explain --json" in a for a in result.actions)


def test_unknown_without_numbers_or_signals_says_so() -> None:
    result = classify("the cat sat on the mat", now=NOW)
    assert "limitwatch has no usage numbers yet." in result.explanation
    assert "It carried no HTTP status, error type or rate-limit headers." in result.explanation


# -- 5 (safety). outside text cannot reach a terminal as an escape sequence --------------------

ESC_TEXT = (
    "boom \x1b]0;pwned\x07 \x1b[2J\x9b31m sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123\nline2\tx"
)


@pytest.mark.parametrize(
    "item",
    [
        ESC_TEXT,
        row(ESC_TEXT),
        ErrorResponse(
            429,
            {
                "anthropic-ratelimit-unified-status": "rejected",
                "anthropic-ratelimit-unified-representative-claim": "seven_day_\x1b[31mx",
                "x-should-retry": "\x1b[2Jyes",
            },
            '{"error":{"type":"\\u001b[31m","message":"\\u001b]0;t\\u0007 limit"}}',
            NOW,
            "probe\x1b[0m",
        ),
    ],
)
def test_no_control_character_survives_and_secrets_stay_masked(item) -> None:
    result = classify(item, context=LOW, now=NOW, tz=UTC)
    texts = [
        result.title,
        result.explanation,
        result.message,
        result.source,
        result.error_type or "",
        result.window_id or "",
        *result.actions,
        *result.signals,
    ]
    for text in texts:
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text), repr(text)
        assert not any(0x7F <= ord(c) <= 0x9F for c in text), repr(text)
        assert "abcdefghijklmnop" not in text
    for text in texts:
        if text is not result.message:
            assert "\n" not in text and "\t" not in text


def test_the_raw_message_keeps_its_lines() -> None:
    result = classify(ESC_TEXT, now=NOW)
    assert "\nline2\tx" in result.message
    assert "sk-ant-...0123" in result.message


def test_unknown_names_extra_usage_numbers_too() -> None:
    context = replace(
        LOW,
        extra_usage=ExtraUsage(True, 5.0, 20.0, "USD", 25.0, NOW),
        claude_code_version=NEW,
    )
    result = classify("the cat sat on the mat", context=context, now=NOW)
    assert (
        "Numbers limitwatch has: 5-hour session 6% used; weekly 15% used; "
        "usage credits: $5.00 of $20.00 spent."
    ) in result.explanation
