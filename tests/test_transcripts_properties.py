"""The transcript reader's short cuts (lines passed over from their head, streamed repeats
skipped unparsed, one bytes search) never change what is counted: for any mix of rows, the
totals and errors equal those of parsing every line with ``json.loads``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.clock import ManualClock
from tui.sources.transcripts.filters import USER_CHECK_MIN
from tui.sources.transcripts.source import TranscriptSource

NOW = datetime(2026, 4, 14, 15, 0, tzinfo=UTC)

# Pieces of text that look like the keys and structure the reader looks for.
TRICKY = [
    '"usage":{"input_tokens":7}',
    '"type":"user"',
    '"type":"assistant"',
    "isApiErrorMessage",
    '"isApiErrorMessage":true',
    '"message":{"id":"msg_a"',
    '"requestId":"req_1"',
    "{",
    "}",
    "[",
    "]",
    "\\",
    '"',
    "é ü",
    "sage",
    "x" * USER_CHECK_MIN,
]
texts = st.lists(st.sampled_from(TRICKY), max_size=4).map("".join)
# Something nested that carries the same keys as the row itself: it must never be taken for them.
decoys = st.sampled_from(
    [
        None,
        {"type": "user"},
        {"id": "msg_b", "requestId": "req_1"},
        {"usage": {"input_tokens": 1000}, "type": "user"},
        {"message": {"id": "msg_a"}, "requestId": "req_1"},
        {"x": 1, "requestId": "req_1"},
        {"isApiErrorMessage": True},
    ]
)
# ...and keys of the row itself that end like the ones it looks for.
lookalikes = st.sampled_from(
    [None, ('a"requestId', "req_1"), ('a"message', {"id": "msg_a"}), ('a"type', "user")]
)


@st.composite
def rows(draw: Any) -> str:
    kind = draw(st.sampled_from(["assistant", "assistant", "assistant", "user", "error", "system"]))
    cwd = draw(st.sampled_from(["/home/u/p", "/" + "x" * USER_CHECK_MIN])) + draw(texts)
    top: dict[str, Any] = {"parentUuid": None, "sessionId": "s1", "cwd": cwd}
    decoy = draw(decoys)
    message: dict[str, Any] = {}
    if kind in ("assistant", "error"):
        message["id"] = draw(st.sampled_from(["msg_a", "msg_a", "msg_b", "err-1"]))
    message["role"] = "user" if kind == "user" else "assistant"
    message["model"] = draw(
        st.sampled_from(
            ["claude-sonnet-4-5", "claude-opus-4-1", "claude-opus-4-1", "<synthetic>", None]
        )
    )
    message["content"] = [{"type": "text", "text": draw(texts)}]
    if draw(st.integers(0, 4)) > 0:
        message["usage"] = {
            "input_tokens": draw(st.integers(-1, 50)),
            "output_tokens": draw(st.integers(0, 50)),
            "cache_read_input_tokens": draw(st.sampled_from([0, 1000, None])),
        }
    parts: list[tuple[str, Any]] = [
        ("type", "assistant" if kind == "error" else kind),
        ("message", message),
        ("timestamp", (NOW - timedelta(minutes=draw(st.integers(1, 50)))).isoformat()),
    ]
    if kind != "user" and draw(st.booleans()):
        parts.append(("requestId", draw(st.sampled_from(["req_1", "req_1", "req_2", ""]))))
    if kind == "error" or draw(st.integers(0, 9)) == 0:
        parts.append(("isApiErrorMessage", kind == "error" or draw(st.booleans())))
    if decoy is not None:
        parts.append(("meta", decoy))
    lookalike = draw(lookalikes)
    if lookalike is not None:
        parts.append(lookalike)
    if kind == "user" and draw(st.booleans()):
        parts.append(("toolUseResult", {"usage": {"input_tokens": 99}, "text": draw(texts)}))
    for key, value in draw(st.permutations(parts)):
        top[key] = value
    compact = draw(st.integers(0, 3)) > 0  # as Claude Code writes, mostly
    line = json.dumps(top, separators=(",", ":") if compact else None, ensure_ascii=False)
    if draw(st.integers(0, 19)) == 0:  # torn or broken
        line = line[: len(line) // 2]
    return line


def reference(lines: list[str]) -> tuple[dict[str, list[int]], set[str]]:
    """Every line parsed; the same rules, written plainly."""
    tokens: dict[str, list[int]] = {}
    errors: set[str] = set()
    counted: set[tuple[str, str]] = set()
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if not isinstance(row, dict) or row.get("type") == "user":
            continue
        message = row.get("message")
        if row.get("isApiErrorMessage") is True:
            content = message.get("content") if isinstance(message, dict) else None
            errors.add(
                "\n".join(p["text"] for p in content if isinstance(p.get("text"), str))
                if isinstance(content, list)
                else ""
            )
            continue
        if row.get("type") != "assistant" or not isinstance(message, dict):
            continue
        usage, model = message.get("usage"), message.get("model")
        if (
            not isinstance(usage, dict)
            or not isinstance(model, str)
            or model in ("", "<synthetic>")
        ):
            continue
        mid, rid = message.get("id"), row.get("requestId")
        if isinstance(mid, str) and isinstance(rid, str) and mid and rid:
            if (mid, rid) in counted:
                continue
            counted.add((mid, rid))
        acc = tokens.setdefault(model, [0, 0, 0, 0])
        for i, name in enumerate(
            (
                "input_tokens",
                "output_tokens",
                "cache_creation_input_tokens",
                "cache_read_input_tokens",
            )
        ):
            value = usage.get(name)
            acc[i] += value if isinstance(value, int) and value > 0 else 0
    return {m: c for m, c in tokens.items()}, errors


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(rows(), min_size=1, max_size=16))
def test_the_short_cuts_count_exactly_what_parsing_every_line_counts(
    lines: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "projects" / "p" / "s.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    source = TranscriptSource([path.parent.parent], clock=ManualClock(NOW), chunk_size=4096)
    scan = source.scan()
    counted: dict[str, list[int]] = {}
    for block in source.blocks():
        for model, *values in block.tokens_by_model:
            acc = counted.setdefault(model, [0, 0, 0, 0])
            for i, value in enumerate(values):
                acc[i] += value
    want_tokens, want_errors = reference(lines)
    assert counted == want_tokens
    assert {error.text for error in scan.new_errors} == want_errors
