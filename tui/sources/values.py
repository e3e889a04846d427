"""Small helpers every network source shares: tolerant value parsing and short wording.

Numbers and times arrive from servers in many shapes; these turn them into floats and aware
UTC datetimes or None, never an exception. ``error_words`` and ``hhmm`` word a failed call and a
clock time for a source's one-line detail.
"""

from __future__ import annotations

import math
from datetime import datetime

from tui.models import ErrorResponse, TransportError
from tui.sources.http import describe_kind
from tui.times import parse_reset_header

# ISO 4217 currencies whose minor unit is not 1/100 (amounts arrive in minor units).
CURRENCY_EXPONENT = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "PYG": 0, "UGX": 0, "XAF": 0, "XOF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}  # fmt: skip
MAX_EXPONENT = 9  # more decimal places than any currency has: a bad value, not a scale


def to_number(value: object) -> float | None:
    """A finite float from a number or numeric string; None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def to_exponent(value: object) -> int | None:
    """A count of decimal places (0-9) from a whole number; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_EXPONENT else None


def parse_time(value: object) -> datetime | None:
    """RFC 3339 (with or without fractions, ``Z`` or an offset) or epoch seconds/ms -> UTC."""
    if isinstance(value, bool):
        return None
    return parse_reset_header(value)


def minor_to_major(
    amount: float | None, currency: str, exponent: int | None = None
) -> float | None:
    """Minor units (cents) -> major units; ``exponent`` (decimal places) wins over the currency."""
    if amount is None:
        return None
    if exponent is None:
        exponent = CURRENCY_EXPONENT.get(currency.upper(), 2)
    return amount / (10.0**exponent)


def hhmm(when: datetime) -> str:
    """Local ``HH:MM``."""
    return when.astimezone().strftime("%H:%M")


def error_words(error: ErrorResponse | TransportError) -> str:
    """A failed call in a few words: ``HTTP 503 api_error: ...`` or ``no answer in time``."""
    if isinstance(error, TransportError):
        return f"{describe_kind(error.kind)} ({error.kind})"
    what = error.error_type or "error"
    message = f": {error.message}" if error.message else ""
    return f"HTTP {error.status} {what}{message}"[:200]
