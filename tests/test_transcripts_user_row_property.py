"""A long line is passed over as a user row only when JSON reads it so: for rows with their
keys in any order (the type after the message: read from the end, nested values after it
included), values nested or not, and strings that look like the keys."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tui.sources.transcripts.filters import USER_CHECK_MIN, user_row

LOOKALIKES = ['"type":"user"', ',"type":"user"', "}", "{", "]", '\\"', "user", '"}']
text = st.lists(st.sampled_from([*LOOKALIKES, "x", "é"]), max_size=4).map("".join)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["type", "usage", "a", "b"]), inner, max_size=3),
    ),
    max_leaves=6,
)
keys = st.sampled_from(["type", "uuid", "meta", "toolUseResult", "cwd", "typ"])


@settings(max_examples=600, deadline=None)
@given(
    before=st.lists(st.tuples(keys, values), max_size=3),
    kind=st.sampled_from(["user", "assistant", None]),
    after=st.lists(st.tuples(keys, values), max_size=3),
    message_first=st.booleans(),
    tail_first=st.booleans(),
)
def test_a_line_passed_over_as_a_user_row_is_one(
    before: list[tuple[str, Any]],
    kind: str | None,
    after: list[tuple[str, Any]],
    message_first: bool,
    tail_first: bool,
) -> None:
    # Not covered: a row whose first top-level "type" is "user", with the message after it
    # and a second top-level "type" later (the check from the head reads the first; Claude
    # Code writes no key twice). With the message first, any key may come twice.
    assume(message_first or all(k != "type" for k, _ in [*before, *after]))
    message = ("message", {"role": "user", "content": "x" * USER_CHECK_MIN})
    pairs = [*before, ("type", kind)] if kind is not None else list(before)
    pairs = [message, *pairs, *after] if message_first else [*pairs, message, *after]
    # Written as JSON text pair by pair, so that duplicate keys stay (JSON keeps the last)
    body = ",".join(
        json.dumps(k) + ":" + json.dumps(v, separators=(",", ":"), ensure_ascii=False)
        for k, v in pairs
    )
    raw = bytearray(("{" + body + "}").encode())
    if user_row(raw, 0, len(raw), tail_first):
        assert json.loads(raw).get("type") == "user"
    # Whichever check the reader tries first, the answer is the same
    assert bool(user_row(raw, 0, len(raw), tail_first)) == bool(user_row(raw, 0, len(raw)))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(['"', "}", "{", "[", "]", " ", "\t", "\n", "\r", "x", ","]), max_size=12
    )
)
def test_the_tail_check_without_a_regex_is_the_regex(pieces: list[str]) -> None:
    from tui.sources.transcripts.filters import flat_to_end

    # From after a value to the row's end, nothing nested: no brackets, the row's "}" last.
    scalars_to_end = re.compile(rb'"[^{}\[\]]*\}\s*')
    raw = bytearray(("ab" + "".join(pieces)).encode())
    for at in range(len(raw)):
        expected = scalars_to_end.fullmatch(raw, at, len(raw)) is not None
        assert flat_to_end(raw, at, len(raw)) == expected
