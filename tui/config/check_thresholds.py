"""Checking thresholds: ``[thresholds]``, its per-window tables, and ``[accounts.thresholds]``.

Each value is checked by the kind ``model.Thresholds`` declares for it; the pairs a window or
an account ends up with must keep critical above warning (``in_order``). The thresholds editor
uses the same two rules (``threshold_kind``, ``in_order``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tui.config.collect import Collector
from tui.config.kinds import Number, did_you_mean, num_text
from tui.config.model import THRESHOLD_KEYS, ThresholdOverride, Thresholds, keys_of

_KINDS = {item.name: about.kind for item, about in keys_of(Thresholds)}


def threshold_kind(name: str) -> Number:
    """The kind (bounds) ``model.Thresholds`` declares for ``warning`` or ``critical``."""
    kind = _KINDS[name]
    assert isinstance(kind, Number)
    return kind


def in_order(warning: float, critical: float) -> bool:
    """The rule every pair of thresholds keeps: critical above warning."""
    return critical > warning


def order_problem(warning: float, critical: float, *, notes: Mapping[str, str]) -> str | None:
    """None when in order; else the message, each inherited value with where it came from."""
    if in_order(warning, critical):
        return None

    def part(name: str, value: float) -> str:
        note = f", from {notes[name]}" if name in notes else ""
        return f"{name} ({num_text(value)}{note})"

    return f"{part('critical', critical)} must be above {part('warning', warning)}"


def check_table(
    prefix: str, table: Mapping[str, object], out: Collector, *, windows_header: str | None
) -> tuple[dict[str, float], dict[str, Mapping[str, object]], bool]:
    """Checks warning/critical in one table; returns (valid values, window tables, values ok).

    ``windows_header`` (e.g. ``[thresholds.<window id>]``): the table may hold per-window
    tables. Unknown keys are reported but do not make the values unusable for the order check.
    """
    values: dict[str, float] = {}
    windows: dict[str, Mapping[str, object]] = {}
    ok = True
    for key, raw in table.items():
        dotted = f"{prefix}.{key}"
        if key in _KINDS:
            value, message = _KINDS[key].check(raw)
            if message is not None:
                out.add(dotted, message)
                ok = False
            else:
                values[key] = value
        elif windows_header is not None and isinstance(raw, Mapping):
            windows[key] = raw
        else:
            hint = did_you_mean(key, THRESHOLD_KEYS)
            if not hint and windows_header is not None:
                hint = f" (per-window overrides are tables: {windows_header})"
            out.add(dotted, "unknown key" + hint)
    return values, windows, ok


def check_thresholds(
    table: Mapping[str, object], out: Collector
) -> tuple[Thresholds, dict[str, Thresholds]] | None:
    """``[thresholds]`` and its window tables; None when anything is wrong (reported)."""
    header = "[thresholds.<window id>]"
    given, windows, ok = check_table("thresholds", table, out, windows_header=header)
    default = Thresholds()
    warning = given.get("warning", default.warning)
    critical = given.get("critical", default.critical)
    if ok:
        notes = {k: "the defaults" for k in THRESHOLD_KEYS if k not in given}
        message = order_problem(warning, critical, notes=notes)
        if message is not None:
            blame = "critical" if "critical" in given or "warning" not in given else "warning"
            out.add(f"thresholds.{blame}", message)
            ok = False
    global_ok = ok
    result: dict[str, Thresholds] = {}
    for window_id, window_table in windows.items():
        prefix = f"thresholds.{window_id}"
        w_given, _, w_ok = check_table(prefix, window_table, out, windows_header=None)
        if not w_ok:
            ok = False
            continue
        inherited = [k for k in THRESHOLD_KEYS if k not in w_given]
        if inherited and not global_ok:
            continue  # the global pair is already reported; do not pile on
        w_warning = w_given.get("warning", warning)
        w_critical = w_given.get("critical", critical)
        notes = {k: "[thresholds]" for k in inherited}
        message = order_problem(w_warning, w_critical, notes=notes)
        if message is not None:
            blame = "critical" if "critical" in w_given else "warning"
            out.add(f"{prefix}.{blame}", message)
            ok = False
            continue
        result[window_id] = Thresholds(warning=w_warning, critical=w_critical)
    if not ok:
        return None
    return Thresholds(warning=warning, critical=critical), result


def _layers_of_global(
    window_id: str | None, base: Thresholds, base_windows: Mapping[str, Thresholds]
) -> tuple[str, dict[str, float]]:
    if window_id is None or window_id not in base_windows:
        return "[thresholds]", {k: getattr(base, k) for k in THRESHOLD_KEYS}
    window = base_windows[window_id]
    return f"[thresholds.{window_id}]", {k: getattr(window, k) for k in THRESHOLD_KEYS}


def _account_order_problems(
    prefix: str,
    given: dict[str, float],
    window_given: Mapping[str, dict[str, float]],
    base: tuple[Thresholds, Mapping[str, Thresholds]],
    out: Collector,
) -> bool:
    """Every pair the account ends up with is in order; reports each one that is not."""
    base_pair, base_windows = base
    ok = True
    seen: set[tuple[str, str]] = set()
    window_ids: Iterable[str | None] = [None, *window_given, *base_windows]
    for window_id in dict.fromkeys(window_ids):
        layers: list[tuple[str, str, dict[str, float]]] = []  # (key prefix, label, values)
        if window_id is not None and window_id in window_given:
            label = f"[accounts.thresholds.{window_id}]"
            layers.append((f"{prefix}.{window_id}", label, window_given[window_id]))
        layers.append((prefix, "[accounts.thresholds]", given))
        if not any(values for _, _, values in layers):
            continue  # nothing of the account's own: [thresholds] is checked already
        label, values = _layers_of_global(window_id, base_pair, base_windows)
        layers.append(("", label, values))
        blamed = next((layer for layer in layers if layer[2]), layers[-1])
        pair: dict[str, float] = {}
        notes: dict[str, str] = {}
        for name in THRESHOLD_KEYS:
            where = next(layer for layer in layers if name in layer[2])
            pair[name] = where[2][name]
            if where is not blamed:
                notes[name] = where[1]
        message = order_problem(pair["warning"], pair["critical"], notes=notes)
        if message is None:
            continue
        ok = False
        name = "critical" if "critical" in blamed[2] else "warning"
        problem = (f"{blamed[0]}.{name}", message)
        if problem not in seen:
            seen.add(problem)
            out.add(*problem)
    return ok


def check_account_thresholds(
    prefix: str,
    table: Mapping[str, object],
    out: Collector,
    base: tuple[Thresholds, Mapping[str, Thresholds]] | None,
) -> tuple[ThresholdOverride, dict[str, ThresholdOverride]] | None:
    """One ``[accounts.thresholds]`` table; ``base`` is the checked ``[thresholds]``.

    None when anything is wrong (reported). With ``base`` None ([thresholds] is wrong, and
    reported), the values are checked but not the pairs they form with it.
    """
    header = "[accounts.thresholds.<window id>]"
    given, windows, ok = check_table(prefix, table, out, windows_header=header)
    window_given: dict[str, dict[str, float]] = {}
    for window_id, window_table in windows.items():
        w_prefix = f"{prefix}.{window_id}"
        w_given, _, w_ok = check_table(w_prefix, window_table, out, windows_header=None)
        ok = ok and w_ok
        window_given[window_id] = w_given
    if ok and base is not None:
        ok = _account_order_problems(prefix, given, window_given, base, out)
    if not ok:
        return None
    overrides = {w: ThresholdOverride(**values) for w, values in window_given.items()}
    return ThresholdOverride(**given), overrides
