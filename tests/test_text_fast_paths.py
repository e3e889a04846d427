"""The checks that let common text skip a regular expression (compiling one is a good part of
a warm ``status``) must give exactly what the expression gives, for any text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tui import secrets, text
from tui.explain import facts
from tui.sources.oauth.parse import _is_window_key

TEXT = st.text(
    st.one_of(
        st.characters(),
        st.sampled_from(["\n", "\r", "\t", "\x1b", "\x9b", "\u202e", "\xa0", "s", "k", "-"]),
    ),
    max_size=40,
) | st.sampled_from(["sk-ant-abcdEFGH1234", "x sk-0123456789abcdefXYZ y", "a\nb\r\nc"])


def _clean_by_expressions(value: str, keep_newlines: bool) -> str:
    value = text._ESCAPES.sub("", value)
    if keep_newlines:
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    else:
        value = text._LINE_BREAKS.sub(" ", value)
    return text._CONTROLS.sub("", value)


@given(TEXT, st.booleans())
def test_clean_is_what_the_expressions_make(value: str, keep_newlines: bool) -> None:
    assert text.clean(value, keep_newlines=keep_newlines) == _clean_by_expressions(
        value, keep_newlines
    )


@given(TEXT)
def test_masking_is_what_the_expressions_make(value: str) -> None:
    assert secrets.mask(value) == secrets._PATTERN.sub(
        lambda found: secrets.short_form(found.group(0)), value
    )
    assert facts.mask(value) == facts._SECRET.sub(lambda m: "sk-ant-..." + m.group(0)[-4:], value)
    assert facts.clean(value, lines=True) == facts._CONTROL.sub("", value)


WINDOW_KEY = re.compile(r"(five_hour|seven_day)(_[a-z0-9_]+)?")


@given(
    st.sampled_from(["five_hour", "seven_day", "seven", ""]).flatmap(
        lambda head: st.text(st.sampled_from("_aZ0-9x\n"), max_size=6).map(head.__add__)
    )
)
def test_usage_window_keys_are_read_as_the_pattern_reads_them(key: str) -> None:
    assert _is_window_key(key) == bool(WINDOW_KEY.fullmatch(key))
