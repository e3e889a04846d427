"""Bytes-level tests that let the reader pass over a transcript line without parsing it.

Each is sound for any valid JSON line: it answers True only where the bytes prove it, and the
reader parses every line it cannot pass over.
"""

from __future__ import annotations

from tui.sources.transcripts.scanner import scan_once

# One bytes search finds both keys that make a line worth parsing: ``"usage"`` and
# ``"isApiErrorMessage"`` both end in ``sage"`` (a search costs about the same for any needle,
# so one pass instead of two halves the searching). ``"message"`` ends so too and is told apart
# by what precedes the hit.
TAIL = b'sage"'
USAGE_HEAD = b'"u'  # the two bytes before the tail in "usage"
ERROR_HEAD = b"isApiErrorMes"  # the bytes before it in isApiErrorMessage
_ERROR_KEY = b'isApiErrorMessage"'
# Most of a transcript's bytes are user rows (tool results), which carry neither: a long line
# whose top-level "type" is "user" is passed over without searching it (see user_row),
# whichever end of the line that key sits at.
_TYPE_KEY = b'"type":"'
_USER_VALUE = b'user"'
_USER_KEY = b',"type":"user"'
_ANY_TYPE_KEY = b'"type":'
USER_CHECK_MIN = 2048  # a shorter line is searched whole: cheaper than looking at its head
USER_CHECK_HEAD = 4096  # how far into a line its top-level "type" is looked for
BY_HEAD, BY_TAIL = 1, 2  # how user_row proved a user row
_MESSAGE_ID_KEY = b'"message":{"id":"msg_'
_REQUEST_ID = b'"requestId":"'
_KEY_OPENERS = b",{"  # what precedes a key's opening quote


def user_row(buf: bytearray, start: int, stop: int, tail_first: bool = False) -> int:
    """Non-zero when the line ``buf[start:stop]`` is a row whose top-level "type" is "user", as
    Claude Code writes it: ``{"parentUuid":...,"type":"user","message":...}``, or with the
    type after the message: ``{...,"message":{...},"type":"user","uuid":"...",...}``.

    Sound for any valid JSON line. From the head: the first ``"type":"`` is the first key, or
    comes after a comma (so its quote opens a string: inside one it would be escaped, and the
    string is the key ``type``) and no ``{`` but the line's own opens before it (so it is a
    key of the row itself, not of an object nested in it). From the end: the last
    ``,"type":"user"`` is followed by nothing nested (no bracket before the row's closing
    ``}``), so no object it sits in closes before the row does, and by no other ``"type":``
    key; or, when something nested follows it (a tool result's own usage), by the rest of
    the row's own object (``_rest_of_row``).

    Which one proved it (``BY_HEAD``, ``BY_TAIL``): a file keeps one key order, so the reader
    tries that one first on the next long line (``tail_first``). Either order is as sound as
    the other."""
    if buf[start] != 0x7B:  # "{"
        return 0
    if tail_first and _user_by_tail(buf, start, stop):
        return BY_TAIL
    head = _user_by_head(buf, start, stop)
    if head is not None:
        return BY_HEAD if head else 0
    return BY_TAIL if not tail_first and _user_by_tail(buf, start, stop) else 0


def _user_by_head(buf: bytearray, start: int, stop: int) -> bool | None:
    """Whether the row's own "type" (the first ``"type":"`` of its head) is "user"; None
    when its head does not show it."""
    found = buf.find(_TYPE_KEY, start, min(stop, start + USER_CHECK_HEAD))
    if found == start + 1 or (
        found > start and buf[found - 1] == 0x2C and buf.find(b"{", start + 1, found) < 0
    ):
        return buf.startswith(_USER_VALUE, found + len(_TYPE_KEY))
    return None


def _user_by_tail(buf: bytearray, start: int, stop: int) -> bool:
    """True when the type after the message, near the line's end, is the row's own "user"."""
    found = buf.rfind(_USER_KEY, max(start, stop - USER_CHECK_HEAD), stop)
    if found < 0:
        return False
    after = found + len(_USER_KEY)
    if flat_to_end(buf, after - 1, stop):
        return buf.find(_ANY_TYPE_KEY, after, stop) < 0
    return _rest_of_row(buf, after, stop)


def _rest_of_row(buf: bytearray, after: int, stop: int) -> bool:
    """True when what follows a key's value at ``after`` (up to the line's end) is the rest of
    the row's own object, none of its keys "type": ``,"k":v,...}`` read as an object body
    (``{"k":v,...}``) ends exactly at the line's end. Something nested after the value, e.g.
    a tool result's ``"toolUseResult":{...,"usage":{...}}``, is read, not guessed at.

    Sound for a valid JSON line whose bytes at ``after`` follow a key's value (a ``"`` there
    cannot be inside a string): if that key belonged to an object nested in the row, the
    object's closing bracket would come before the line's end, and the body read here would
    end there."""
    if after >= stop or buf[after] != 0x2C:  # ","
        return False
    try:
        text = "{" + buf[after + 1 : stop].decode()
        rest, end = scan_once(text, 0)
    except (ValueError, RecursionError, StopIteration):  # UnicodeDecodeError: a ValueError
        return False
    return end == len(text) and type(rest) is dict and "type" not in rest


def counted_before(
    buf: bytearray,
    start: int,
    stop: int,
    hit: int,
    last: tuple[bytes, bytes],
) -> bool:
    """True when the row ``buf[start:stop]`` (its last usage key at ``hit``) is a streamed
    repeat of a response counted already: the same message id + request id as the usage row
    before it (``last``: its ``repeat_key``, ids holding no backslash and no quote, so that
    bytes equal to one are that id). Those are passed over unparsed; they would not count
    again.

    The ids are read from the bytes as Claude Code writes them, and a row is passed over
    only where they are provably its own: ``"message":{"id":"msg_..."`` with no object
    opened before it in the row, and ``"requestId":"..."`` a key of the row itself, before
    the message or after it with nothing nested after it; and no ``isApiErrorMessage`` key
    (after ``hit`` the search from the end would have met it). Anything else is parsed."""
    find = buf.find
    key, rid = last
    m = find(key, start, stop)  # the first: no object may open before it (below)
    if m < 0:
        return False  # another response
    m_end = m + len(key) - 1  # the id's closing quote
    # After the message first (Claude Code's order; and JSON keeps a key's last value)
    r = buf.rfind(_REQUEST_ID, m_end, stop)
    before = r < 0
    if before:
        r = find(_REQUEST_ID, start, m)
        if r < 0:
            return False
    r_id = r + len(_REQUEST_ID)
    r_end = r_id + len(rid)
    if r_end >= stop or buf[r_end] != 0x22 or not buf.startswith(rid, r_id):
        return False  # the usual answer: the checks below only guard a skip
    return (
        m > start
        and buf[m - 1] in _KEY_OPENERS
        and find(b"{", start + 1, m) < 0
        and (
            buf[r - 1] in _KEY_OPENERS
            if before
            else buf[r - 1] == 0x2C and flat_to_end(buf, r_end, stop)
        )
        and find(_ERROR_KEY, start, hit) < 0
    )


def repeat_key(message_id: str, request_id: str) -> tuple[bytes, bytes] | None:
    """What ``counted_before`` compares a row with, for a usage row with these ids:
    ``"message":{"id":"msg_...","`` up to the id's closing quote, and the request id, as a
    row's bytes hold them. None when bytes could not show them as they are (an id holding a
    backslash or a quote, or a message id not starting "msg_"): such a row's repeats are
    parsed."""
    if "\\" in message_id or '"' in message_id or "\\" in request_id or '"' in request_id:
        return None
    if not message_id.startswith("msg_"):
        return None
    return _MESSAGE_ID_KEY + message_id[4:].encode() + b'"', request_id.encode()


def flat_to_end(buf: bytearray, at: int, stop: int) -> bool:
    r"""A ``"`` at ``at``, then nothing nested (no bracket) up to the row's own ``}``, then only
    whitespace (the regex ``"[^{}\[\]]*\}\s*`` matched in full), in bytes operations: a
    third of a regex match's cost on a short tail (once per streamed repeat)."""
    close = stop - 1 if buf[stop - 1] == 0x7D else buf.rfind(b"}", at, stop)  # the usual end
    if close < 0 or buf[at] != 0x22:  # '"'
        return False
    if close + 1 < stop and not buf[close + 1 : stop].isspace():
        return False
    between = buf[at + 1 : close]
    return len(between.translate(None, b"{}[]")) == len(between)
