"""Rows are decoded by json's C scanner made without importing json (``scanner.py``): what it
gives is what ``json.loads`` gives, value for value and error for error, and a helper process
of the first scan starts without json, re, datetime's Python module, collections or typing."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tui.sources.transcripts.helper import HELPER_FLAGS
from tui.sources.transcripts.rows import loads
from tui.sources.transcripts.scanner import scan_once

_JSON_SCAN = json.JSONDecoder().scan_once

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(codec="utf-8")),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def _same(a: object, b: object) -> bool:
    """Equal, with NaN equal to NaN, and of the same types throughout."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):  # a scan's (value, end) too
        assert isinstance(b, list | tuple)
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@given(values, st.booleans(), st.sampled_from([(",", ":"), (", ", ": ")]))
def test_a_row_decodes_as_json_loads_decodes_it(value, ascii_only, separators) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, separators=separators)
    assert _same(loads(text.encode()), json.loads(text))
    assert _same(scan_once(text, 0), _JSON_SCAN(text, 0))


def _outcome(call, *args):
    try:
        return ("value", call(*args))
    except StopIteration as exc:
        return ("nothing at", exc.value)
    except ValueError as exc:
        return (type(exc).__name__, str(exc))


@settings(max_examples=300)
@given(
    st.text(alphabet='{}[]",:0123456789.eE+- \t\nabcfnlrstu\\NaIiy\x00\x1f', max_size=40),
    st.integers(0, 3),
)
@example("NaN", 0)  # json's NaN and ours are different objects, equal as NaN
@example("[-Infinity, 1e400]", 0)
def test_any_text_scans_as_json_s_own_scanner_scans_it(text, start) -> None:
    """Broken text too: the same value, or the same error at the same place."""
    got, want = _outcome(scan_once, text, start), _outcome(_JSON_SCAN, text, start)
    assert got[0] == want[0]
    assert _same(got[1], want[1])


@pytest.mark.parametrize(
    "text",
    ['{"a":NaN,"b":Infinity,"c":-Infinity}', '{"big":123456789012345678901234567890}', " {} "],
)
def test_json_s_extensions_and_spaces_decode_the_same(text: str) -> None:
    assert _same(loads(text.encode()), json.loads(text))


@pytest.mark.parametrize("line", [b"", b"{", b'{"a":1} x', b"\xff{}", b'{"a":"\x01"}'])
def test_a_broken_row_fails_as_json_loads_fails(line: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(line)
    with pytest.raises(ValueError):
        loads(line)


def test_a_helper_process_starts_lean() -> None:
    """What a helper imports before it reads: none of the modules that made up most of its
    start (json pulls in re and enum; array pulls in collections)."""
    root = Path(__file__).resolve().parents[1]
    code = (
        f"import sys; sys.path[:0] = [{str(root)!r}]\n"
        "from tui.sources.transcripts.helper import main\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, *HELPER_FLAGS, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "tui.sources.transcripts.reader" in out
    heavy = {"json", "re", "enum", "datetime", "collections", "typing", "array", "dataclasses"}
    assert heavy.isdisjoint(out), heavy.intersection(out)
