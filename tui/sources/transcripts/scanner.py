"""json's C scanner, made without importing ``json``: ``scan_once(text, index)``.

``json.loads`` decodes with the C scanner of a ``JSONDecoder()``. Importing ``json`` costs a
scanning helper process (``helper.py``) about a third of its start: ``json`` imports ``re``,
which imports ``enum``, and compiles patterns a row never needs. The scanner reads only a few
settings from the decoder it is made from; here they are a default decoder's, so a value it
returns is the one ``json.loads`` returns (``tests/test_transcripts_scanner.py``).

``scan_once(text, index)`` returns ``(value, end)`` for the JSON value starting at ``index``;
it raises ``StopIteration`` when none starts there and ``ValueError`` for a broken one.
"""

from __future__ import annotations

# Not typing's: a helper process of the first scan starts without importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# As json.decoder's: the names JSON's extensions use for the three non-finite floats
_CONSTANTS = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}


class _DefaultDecoder:
    """What the C scanner reads of a ``JSONDecoder()``: its settings, at their defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


def _make() -> Callable[[str, int], tuple[Any, int]]:
    made: Any
    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover - an interpreter without json's C part
        import json

        made = json.JSONDecoder()
        return made.scan_once  # type: ignore[no-any-return]
    settings: Any = _DefaultDecoder()
    made = make_scanner(settings)
    return made  # type: ignore[no-any-return]


scan_once = _make()
