"""Text kept from a row loses its control characters, whether or not it had any (the quick
answer for printable text is the full one)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.sources.transcripts.rows import _CONTROLS, clean


@given(st.text(st.characters(codec="utf-8")) | st.sampled_from(["", "a\tb\nc", "x\x1b[2Jy", "ok"]))
def test_clean_is_the_full_translation(text: str) -> None:
    assert clean(text) == text.translate(_CONTROLS)
    assert not any(ord(c) in _CONTROLS for c in clean(text))
