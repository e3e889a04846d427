"""Usage per hour: what a helper process counted, taken in hour by hour (``Hours.merge``),
counts exactly what adding the entries it counted one by one, in its order, would; ids
packed after a scan still keep a response from counting twice."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.sources.transcripts.hours import HOUR, Entry, Hours

BASE = 1_776_000_000 // HOUR * HOUR
MODELS = ("claude-a", "claude-b")

# A few ids and hours only, so that copies of one response in several hours are common.
ids = st.one_of(st.none(), st.tuples(st.sampled_from("abcdef"), st.sampled_from("xy")))
entries = st.lists(
    st.tuples(
        ids,
        st.integers(0, 4 * HOUR - 1).map(lambda s: float(BASE + s)),
        st.sampled_from(MODELS),
        st.tuples(*[st.integers(0, 1000)] * 4),
    ),
    max_size=30,
)


def state(hours: Hours) -> Any:
    return hours.rows(), hours.token_totals()


def counted(entries: list[Entry], hours: Hours | None = None) -> Hours:
    hours = hours or Hours()
    hours.add_many(entries)
    return hours


@settings(max_examples=300, deadline=None)
@given(here=entries, helper=entries, pack=st.booleans())
def test_a_helper_s_hours_count_as_its_entries_one_by_one_would(
    here: list[Entry], helper: list[Entry], pack: bool
) -> None:
    # What the helper counted, in its order, added here one by one (how a helper's rows were
    # taken in before): the reference.
    alone = Hours()
    helper_counted = [entry for entry in helper if alone.add(*entry)]
    expected = counted(here + helper_counted)
    mine = counted(here)
    if pack:
        mine.pack()  # a scan of this process ended before (its ids packed)
    theirs = counted(helper, Hours(keep_rows=True))
    taken = mine.merge(theirs.parts())
    assert state(mine) == state(expected)
    assert taken == sum(h.entries for h in expected.hours.values()) - sum(
        h.entries for h in counted(here).hours.values()
    )


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.tuples(entries, entries), min_size=1, max_size=4), pack=st.booleans())
def test_a_helper_s_answer_taken_in_pieces_counts_as_its_entries_one_by_one_would(
    pieces: list[tuple[list[Entry], list[Entry]]], pack: bool
) -> None:
    """A helper answers after each batch (``parts`` since the last call), and this process
    takes each piece in between rows of its own: the same as adding them all one by one,
    in that order."""
    alone = Hours()
    expected = Hours()
    mine = Hours()
    theirs = Hours(keep_rows=True)
    for here, helper in pieces:
        expected.add_many(here + [entry for entry in helper if alone.add(*entry)])
        mine.add_many(here)
        if pack:
            mine.pack()
        theirs.add_many(helper)
        mine.merge(theirs.parts())
    assert state(mine) == state(expected)
    assert theirs.parts() == []  # nothing counted since the last piece


@settings(max_examples=200, deadline=None)
@given(first=entries, later=entries)
def test_packed_ids_still_count_a_response_once(first: list[Entry], later: list[Entry]) -> None:
    expected = counted(first + later)
    hours = counted(first)
    hours.pack()
    assert all(not h.seen for h in hours.hours.values())
    hours.add_many(later)
    assert state(hours) == state(expected)


def test_a_response_copied_into_a_helper_s_file_counts_once() -> None:
    row: Entry = (("msg_1", "req_1"), float(BASE + 10), "claude-a", (1, 2, 3, 4))
    later: Entry = (("msg_1", "req_1"), float(BASE + HOUR + 10), "claude-a", (1, 2, 3, 4))
    other: Entry = (("msg_2", "req_2"), float(BASE + 20), "claude-a", (10, 0, 0, 0))
    mine = counted([row])
    theirs = counted([row, later, other], Hours(keep_rows=True))  # it counted "row" itself
    assert mine.merge(theirs.parts()) == 1  # only msg_2 is new here
    assert mine.token_totals()[:4] == (
        ("claude-a", "input", 11),
        ("claude-a", "output", 2),
        ("claude-a", "cache_creation", 3),
        ("claude-a", "cache_read", 4),
    )
