"""Which transcript lines are parsed: rows as Claude Code writes them (compact JSON, its key
order), long user rows passed over unread, and every row that carries usage or an API error
still found, whatever its head looks like."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tui.clock import ManualClock
from tui.sources.transcripts.filters import USER_CHECK_MIN
from tui.sources.transcripts.source import TranscriptSource

NOW = datetime(2026, 4, 14, 15, 0, tzinfo=UTC)
LONG = "x" * (USER_CHECK_MIN + 100)  # makes a row long enough to have its head looked at


def compact(row: dict[str, Any]) -> str:
    return json.dumps(row, separators=(",", ":"))


def stamp(minutes_ago: int) -> str:
    when = NOW - timedelta(minutes=minutes_ago)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def head(**extra: Any) -> dict[str, Any]:
    """The keys Claude Code writes before "type" / "message", in its order."""
    row: dict[str, Any] = {
        "parentUuid": None,
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/user/project",
        "sessionId": "sess-1",
        "version": "2.1.3",
        "gitBranch": "main",
    }
    row.update(extra)
    return row


def assistant(n: int, tokens: int, *, text: str = "ok", **extra: Any) -> str:
    row = head(**extra)
    row.update(
        message={
            "id": f"msg_{n:06d}",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": text}],
            "stop_reason": None,
            "usage": {
                "input_tokens": tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": 0,
            },
        },
        requestId=f"req_{n:06d}",
        type="assistant",
        uuid=f"a-{n}",
        timestamp=stamp(n),
    )
    return compact(row)


def tool_result(text: str, **top: Any) -> str:
    """A user row holding a tool result, and a Task tool's result with its own usage."""
    row = head()
    row.update(
        type="user",
        message={
            "role": "user",
            "content": [{"tool_use_id": "toolu_1", "type": "tool_result", "content": text}],
        },
        uuid="u-1",
        timestamp=stamp(1),
        toolUseResult={
            "totalTokens": 5,
            "usage": {"input_tokens": 777777},
            "isApiErrorMessage": True,
        },
    )
    row.update(top)
    return compact(row)


def api_error(text: str) -> str:
    row = head()
    row.update(
        message={
            "id": "err-1",
            "model": "<synthetic>",
            "role": "assistant",
            "content": [{"type": "text", "text": text}],
            "usage": {"input_tokens": 0, "output_tokens": 0},
        },
        type="assistant",
        uuid="e-1",
        timestamp=stamp(2),
        isApiErrorMessage=True,
        error="rate_limit",
        apiErrorStatus=429,
    )
    return compact(row)


@pytest.fixture
def scan_rows(isolated_paths):
    def scan(*rows: str) -> tuple[int, list[str], TranscriptSource]:
        path: Path = isolated_paths.claude / "projects" / "p" / "s.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
        source = TranscriptSource([path.parent.parent], clock=ManualClock(NOW))
        found = source.scan()
        tokens = sum(block.total_tokens for block in source.blocks())
        return tokens, [error.text for error in found.new_errors], source

    return scan


def test_long_user_rows_quoting_usage_and_errors_are_neither(scan_rows) -> None:
    tokens, errors, _ = scan_rows(
        tool_result(LONG + ' "usage":{"input_tokens":5} isApiErrorMessage":true'),
        assistant(1, 10, text=LONG),
        tool_result("short"),  # a short one is parsed, and is a user row all the same
        api_error("You've hit your session limit · resets 9:50pm (Asia/Saigon)"),
        assistant(2, 20),
    )
    assert tokens == 30
    assert errors == ["You've hit your session limit · resets 9:50pm (Asia/Saigon)"]


@pytest.mark.parametrize(
    "extra",
    [
        {"meta": {"type": "user"}},  # "type":"user" nested in something before the real type
        {"meta": {"origin": "cli", "type": "user"}},  # ...and after a comma there
        {'note"type': "user"},  # a key ending in an escaped quote and "type"
        {"tags": [{"id": 1, "type": "user"}]},
    ],
    ids=["nested", "nested-after-a-comma", "escaped-key", "in-a-list"],
)
def test_a_row_is_passed_over_only_when_its_own_type_is_user(scan_rows, extra) -> None:
    tokens, _, _ = scan_rows(assistant(1, 10, text=LONG, **extra), assistant(2, 20, **extra))
    assert tokens == 30


def test_user_rows_marked_as_api_errors_are_not_errors_long_or_short(scan_rows) -> None:
    """Claude Code's API error rows are assistant rows; a user row saying otherwise (long, and
    passed over; short, and parsed) surfaces nothing either way."""
    _, errors, source = scan_rows(
        tool_result(LONG, isApiErrorMessage=True),
        tool_result("short", isApiErrorMessage=True),
    )
    assert errors == []
    assert source.malformed_total == 0


def test_spaced_json_is_read_like_compact_json(scan_rows) -> None:
    spaced = [json.dumps(json.loads(row)) for row in (assistant(1, 10, text=LONG), api_error("E"))]
    tokens, errors, _ = scan_rows(*spaced)
    assert (tokens, errors) == (10, ["E"])


def test_lines_longer_than_the_read_buffer_are_read_whole(isolated_paths) -> None:
    """The read buffer grows for a line that does not fit it; a torn last line waits."""
    path: Path = isolated_paths.claude / "projects" / "p" / "s.jsonl"
    path.parent.mkdir(parents=True)
    rows = [assistant(1, 10, text="y" * 20_000), assistant(2, 20), tool_result("z" * 9_000)]
    rows += [assistant(3, 40, text="w" * 50_000)]
    path.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    torn = assistant(4, 80, text="v" * 10_000)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(torn[:7_000])
    source = TranscriptSource([path.parent.parent], clock=ManualClock(NOW), chunk_size=4096)
    first = source.scan()
    assert sum(block.total_tokens for block in source.blocks()) == 70
    assert first.bytes_read == path.stat().st_size
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(torn[7_000:] + "\n")
    source.scan()
    assert sum(block.total_tokens for block in source.blocks()) == 150


def raw_assistant(head: str, msg: str, tokens: int, tail: str = "") -> str:
    """A compact assistant row written by hand: ``head`` and ``tail`` are raw JSON members."""
    message = (
        f'{{"id":"{msg}","type":"message","role":"assistant","model":"claude-sonnet-4-5",'
        f'"content":[{{"type":"text","text":"ok"}}],"usage":{{"input_tokens":{tokens}}}}}'
    )
    row = f'{{"parentUuid":null,{head}"message":{message}{tail},"type":"assistant",'
    row += f'"timestamp":"{stamp(5)}"}}'
    json.loads(row)  # the test's own rows are valid JSON
    return row


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        ('"meta":{"message":{"id":"msg_1"}},"requestId":"req_1",', ""),  # a nested message first
        ('"requestId":"req_1","meta":{"message":{"id":"msg_1"}},', ""),  # ...after the request id
        ('"a\\"message":{"id":"msg_1"},"requestId":"req_1",', ""),  # a key ending in message
        ('"requestId":"req_1","a\\"message":{"id":"msg_1"},', ""),  # ...after the request id
        ('"a\\"requestId":"req_1",', ""),  # a key ending in requestId, and no real one
        ("", ',"a\\"requestId":"req_1"'),  # ...after the message
        ("", ',"meta":{"x":1,"requestId":"req_1"}'),  # a nested request id after the message
    ],
    ids=[
        "nested-message",
        "nested-message-after-request-id",
        "escaped-message-key",
        "escaped-message-key-after-request-id",
        "escaped-request-key",
        "escaped-request-key-after-message",
        "nested-request-id",
    ],
)
def test_a_row_is_taken_for_a_repeat_only_by_its_own_ids(scan_rows, head, tail) -> None:
    """Streamed repeats (same message id + request id) are passed over unparsed; a row whose
    own ids differ is never taken for one because ids elsewhere in it look the same."""
    counted = raw_assistant("", "msg_1", 10, ',"requestId":"req_1"')
    other = raw_assistant(head, "msg_2" if "message" in head else "msg_1", 20, tail)
    repeat = raw_assistant("", "msg_1", 10, ',"requestId":"req_1"')
    tokens, _, _ = scan_rows(counted, other, repeat)
    assert tokens == 30


def test_ids_with_escaped_quotes_are_told_apart(scan_rows) -> None:
    first = raw_assistant("", "msg_1", 10, ',"requestId":"req\\"1"')
    second = raw_assistant("", "msg_1", 20, ',"requestId":"req\\"2"')
    third = raw_assistant("", 'msg_1\\"x', 40, ',"requestId":"req_1"')
    fourth = raw_assistant("", 'msg_1\\"y', 80, ',"requestId":"req_1"')
    tokens, _, _ = scan_rows(first, second, first, third, fourth, third)
    assert tokens == 150


@pytest.mark.parametrize(
    ("counted", "other"),
    [
        (("msg_1", "req\\\\"), ("msg_1", 'req\\"2')),  # ids req\ and req"2 read as req\
        (("msg_1\\\\", "req_1"), ('msg_1\\"2', "req_1")),
        (("msg_1|2", "req_1"), ("msg_1", "2|req_1")),  # the pair is kept as a pair
    ],
    ids=["request-id", "message-id", "pairs"],
)
def test_ids_that_read_alike_cut_at_a_quote_are_told_apart(scan_rows, counted, other) -> None:
    first = raw_assistant("", counted[0], 10, f',"requestId":"{counted[1]}"')
    second = raw_assistant("", other[0], 20, f',"requestId":"{other[1]}"')
    tokens, _, _ = scan_rows(first, second)
    assert tokens == 30


def test_rows_with_an_empty_request_id_each_count(scan_rows) -> None:
    """Without both ids there is nothing to de-duplicate on: every such row counts."""
    row = raw_assistant("", "msg_1", 10, ',"requestId":""')
    tokens, _, _ = scan_rows(row, row, row)
    assert tokens == 30


def test_an_error_row_repeating_a_counted_response_is_still_an_error(scan_rows) -> None:
    counted = raw_assistant("", "msg_1", 10, ',"requestId":"req_1"')
    error = raw_assistant(
        '"isApiErrorMessage":true,"error":"max_output_tokens",', "msg_1", 10, ',"requestId":"req_1"'
    )
    tokens, errors, _ = scan_rows(counted, error)
    assert (tokens, errors) == (10, ["ok"])


def test_only_a_response_s_streamed_repeats_go_unparsed(scan_rows, monkeypatch) -> None:
    """The repeats right after a response's first row are passed over unparsed; a repeat
    further down (after a tool result) counts once all the same, parsed or not."""
    from tui.sources.transcripts import reader

    parsed: list[bytes] = []
    real = reader.loads

    def counting(line: bytes | bytearray) -> object:
        parsed.append(bytes(line))
        return real(line)

    monkeypatch.setattr(reader, "loads", counting)
    first = raw_assistant("", "msg_1", 10, ',"requestId":"req_1"')
    other = raw_assistant("", "msg_2", 20, ',"requestId":"req_2"')
    tokens, _, _ = scan_rows(first, first, first, other, tool_result(LONG), first)
    assert tokens == 30
    assert [row.decode() for row in parsed[:2]] == [first, other]


def test_a_broken_row_is_never_taken_for_a_repeat_across_the_line_s_end(scan_rows) -> None:
    """A message id holding a newline, and a broken row that ends where that id's newline
    would be: the bytes after the line's end are the next line's, never this row's."""
    first = raw_assistant("", "msg_a\\nb", 10, ',"requestId":"req_1"')
    broken = '{"requestId":"req_1","usage":1,"message":{"id":"msg_a\nb","type":"assistant"}'
    _, _, source = scan_rows(first, broken)
    assert source.malformed_total == 1  # the broken row was parsed, and refused
