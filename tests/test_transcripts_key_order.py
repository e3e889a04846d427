"""Rows that put "type" after "message" (valid JSON, another key order) stay on the fast path:
a long user row is passed over from its end as it is from its head, and only when the bytes
prove that the type is the row's own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tui.sources.transcripts.filters import USER_CHECK_MIN, user_row

TOOL_RESULT = {"role": "user", "content": [{"type": "tool_result", "content": "x" * 5000}]}


def line(*pairs: tuple[str, Any]) -> bytearray:
    return bytearray(json.dumps(dict(pairs), separators=(",", ":")).encode())


def check(row: bytearray) -> bool:
    assert len(row) >= USER_CHECK_MIN
    return user_row(row, 0, len(row))


def test_a_user_row_with_its_type_after_the_message_is_passed_over() -> None:
    row = line(
        ("parentUuid", None),
        ("message", TOOL_RESULT),
        ("type", "user"),
        ("uuid", "u-1"),
        ("timestamp", "2026-04-14T15:00:00.000Z"),
    )
    assert check(row)


def test_type_first_still_decides_from_the_head() -> None:
    assert check(line(("type", "user"), ("message", TOOL_RESULT)))
    assert not check(line(("a", 1), ("type", "assistant"), ("message", TOOL_RESULT)))


@pytest.mark.parametrize(
    "tail",
    [
        [("meta", {"x": 1, "type": "user"})],  # nested: not the row's own
        [("meta", {"x": 1, "type": "user", "y": {"z": 2}})],  # nested, more nested after it
        [("meta", [{"x": 1, "type": "user", "y": {"z": 2}}])],  # in an array
        [("type", "user"), ("meta", {"a": 1}), ("type", "assistant")],  # a later type wins
        [("type", "assistant")],
        [('a"type', "user")],  # a key that only ends like it
    ],
)
def test_from_the_end_only_what_the_bytes_prove(tail: list[tuple[str, Any]]) -> None:
    assert not check(line(("parentUuid", None), ("message", TOOL_RESULT), *tail))


def test_a_later_type_key_wins_as_json_reads_it() -> None:
    raw = line(("parentUuid", None), ("message", TOOL_RESULT), ("type", "user"))
    raw[-1:] = b',"type":"assistant"}'  # duplicate key: json.loads keeps the last
    assert json.loads(raw)["type"] == "assistant"
    assert not check(raw)


@pytest.mark.parametrize(
    "tail",
    [
        # A tool result's own usage after the type (what a Task tool's result carries)
        [("type", "user"), ("toolUseResult", {"totalTokens": 9, "usage": {"input_tokens": 9}})],
        [("type", "user"), ("meta", {"a": 1}), ("uuid", "u-1")],
        [("type", "user"), ("meta", [{"type": "assistant"}, "}"])],  # brackets in strings too
        [("type", "user"), ("cwd", "/a}b")],
    ],
)
def test_from_the_end_something_nested_after_the_type_is_read(tail: list[tuple[str, Any]]) -> None:
    """The rest of the row after its own type is read as JSON: a user row with a tool
    result's usage after its type is passed over (it counts nothing) without parsing the
    long message before it."""
    row = line(("parentUuid", None), ("message", TOOL_RESULT), *tail)
    assert json.loads(row)["type"] == "user"
    assert check(row)


def test_an_escaped_later_type_key_wins_as_json_reads_it() -> None:
    raw = line(("parentUuid", None), ("message", TOOL_RESULT), ("type", "user"), ("m", {"a": 1}))
    raw[-1:] = b',"typ\\u0065":"assistant"}'  # "type" written with an escape, after the first
    assert json.loads(raw)["type"] == "assistant"
    assert not check(raw)


def test_a_damaged_rest_of_the_row_is_not_taken_for_one() -> None:
    row = line(("parentUuid", None), ("message", TOOL_RESULT), ("type", "user"), ("m", {"a": 1}))
    assert not check(row[:-2] + b"]}")  # not a JSON object's end: parsed, never guessed at
