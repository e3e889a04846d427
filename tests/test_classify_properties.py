"""No input of any shape makes ``classify`` raise; what comes back is always displayable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.explain import UsageContext, classify
from tui.models import (
    Classification,
    ErrorResponse,
    ExtraUsage,
    TranscriptError,
    TransportError,
    Window,
)

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)

WORDS = st.sampled_from(
    [
        "API Error: 400 ",
        "API Error: 429 ",
        "{",
        "}",
        '"error":',
        '{"type":"error","error":{"type":"rate_limit_error","message":',
        "You're out of extra usage",
        "resets ",
        "12:50am",
        "13pm",
        "99:99",
        "(America/Los_Angeles)",
        "(Not/AZone)",
        "|",
        "|99999999999999999999",
        "|1755615600",
        "Feb 30, ",
        "session limit",
        "weekly",
        "Opus limit",
        "regain access on ",
        "9999-99-99",
        "prompt is too long: 5 tokens > 1 maximum",
        "\x00",
        "\x1b[31m",
        "\x9b",
        "\u2028",
        " · ",
    ]
)
TEXT = st.one_of(
    st.text(max_size=300), st.lists(WORDS | st.text(max_size=8), max_size=20).map("".join)
)
TIMES = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
) | st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1))
HEADER_NAMES = st.sampled_from(
    [
        "retry-after",
        "Retry-After",
        "anthropic-ratelimit-unified-status",
        "anthropic-ratelimit-unified-reset",
        "anthropic-ratelimit-unified-representative-claim",
        "anthropic-ratelimit-unified-5h-reset",
        "anthropic-ratelimit-unified-7d-status",
        "anthropic-ratelimit-unified-overage-reset",
        "anthropic-ratelimit-requests-remaining",
        "anthropic-ratelimit-requests-reset",
    ]
) | st.text(max_size=20)
HEADER_VALUES = st.sampled_from(
    ["0", "-1", "1e400", "nan", "rejected", "five_hour", "overage", "7d_x", "", "1755615600"]
) | st.text(max_size=30)
NUMBERS = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 500)

windows = st.builds(
    Window,
    id=st.sampled_from(["five_hour", "seven_day", "seven_day_opus", "seven_day_x", "other"]),
    used_percent=NUMBERS,
    resets_at=st.none() | TIMES,
    source=st.just("oauth_usage"),
    observed_at=st.just(NOW),
    server_status=st.none() | st.sampled_from(["allowed", "rejected"]),
)
extras = st.none() | st.builds(
    ExtraUsage,
    enabled=st.booleans(),
    used=NUMBERS,
    limit=NUMBERS,
    currency=st.sampled_from(["USD", "EUR", "", "XYZ"]),
    used_percent=NUMBERS,
    observed_at=st.just(NOW),
    disabled_reason=st.none() | st.text(max_size=15),
)
contexts = st.none() | st.builds(
    UsageContext, windows=st.lists(windows, max_size=4).map(tuple), extra_usage=extras
)
responses = st.builds(
    ErrorResponse,
    status=st.integers(-10, 1000),
    headers=st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=6),
    body=TEXT,
    observed_at=TIMES,
    source=st.sampled_from(["probe", "oauth_usage", "transcripts", ""]),
    url=st.sampled_from(["", "https://api.anthropic.com/api/oauth/usage", "::"]),
    error_type=st.none() | st.text(max_size=20),
    message=st.none() | TEXT,
)
transcript_rows = st.builds(
    TranscriptError,
    text=TEXT,
    error=st.none() | st.text(max_size=20),
    status=st.none() | st.integers(-1000, 10000),
    observed_at=TIMES,
)
transport = st.builds(
    TransportError,
    kind=st.text(max_size=10),
    detail=TEXT,
    observed_at=TIMES,
    source=st.text(max_size=5),
)
exceptions = st.sampled_from(
    [
        OSError(),
        OSError(-2, "Name or service not known"),
        ValueError("x"),
        RecursionError(),
        KeyboardInterrupt(),
        TimeoutError(),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"),
    ]
)
items = st.one_of(TEXT, responses, transcript_rows, transport, exceptions)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    item=items,
    context=contexts,
    now=TIMES,
    tz=st.none()
    | st.sampled_from([UTC, timezone(timedelta(hours=-12)), timezone(timedelta(hours=14))]),
)
def test_classify_never_raises(item, context, now, tz) -> None:
    result = classify(item, context=context, now=now, tz=tz)
    assert isinstance(result, Classification)
    assert result.class_id
    assert result.title and len(result.title) <= 40
    assert isinstance(result.explanation, str) and isinstance(result.actions, tuple)
    assert result.retry_at is None or result.retry_at.tzinfo is not None
    # nothing from outside reaches a terminal as an escape sequence
    for text in (result.title, result.explanation, result.message, *result.actions):
        assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in text)


@settings(max_examples=200, deadline=None)
@given(
    junk=st.one_of(
        st.none(),
        st.integers(),
        st.binary(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.text()),
    )
)
def test_classify_survives_things_that_are_not_errors_at_all(junk) -> None:
    result = classify(junk, now=NOW)  # type: ignore[arg-type]
    assert result.class_id == "unknown"
