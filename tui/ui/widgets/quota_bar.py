"""One bar per limit window: percent used, a block-character bar, reset and age.

``build_rows`` turns a Snapshot into plain ``BarRow`` values (all text already formatted for
"now"); ``QuotaBar`` draws one row and only repaints when its row changed.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from rich.style import Style
from rich.text import Text

from tui import text as fmt
from tui.models import ExtraUsage, Level, RateLimit, Snapshot, WindowView
from tui.record import record
from tui.ui.widgets.base import TextWidget

# Below this content width a bar stacks: label line, bar line, detail line.
NARROW_WIDTH = 56
LABEL_WIDTH = 18
LEVEL_WIDTH = 11  # "  exhausted"
SPARK_WIDE = 16  # history cells beside a bar in a roomy pane
SPARK_NARROW = 8
LEVEL_CLASSES = ("-ok", "-warning", "-critical", "-exhausted", "-unknown")


@record
class BarRow:
    """What one bar shows; every time-dependent text is already rendered."""

    key: str
    label: str
    short_label: str
    fraction: float | None  # None: no bar (no data, not started, off, a plain number)
    value: str  # next to the bar (wide panes): a percent or a word
    level: Level
    stale: bool = False
    details: tuple[str, ...] = ()
    short_details: tuple[str, ...] = ()
    short_value: str = ""  # on the label line in narrow panes (money, "45 of 50 left")
    spark: tuple[float, ...] = ()  # recent percentages, oldest first (history)

    @property
    def narrow_value(self) -> str:
        return self.short_value or self.value


def window_row(view: WindowView, now: datetime, tz: tzinfo | None) -> BarRow:
    window = view.window
    label = window.label
    short = fmt.short_label(window.id, label)
    age = fmt.age(window.observed_at, now)
    if window.not_started and window.used_percent is None:
        first = "starts with your next message"
        return BarRow(
            key=f"window:{window.id}",
            label=label,
            short_label=short,
            fraction=None,
            value=f"not started — {first}",
            short_value="not started",
            level="ok",
            stale=view.stale,
            details=(window.source, age),
            short_details=(first,),
        )
    if window.used_percent is None or view.level == "unknown":
        return BarRow(
            key=f"window:{window.id}",
            label=label,
            short_label=short,
            fraction=None,
            value="no data",
            level="unknown",
            stale=view.stale,
            details=(window.source, age),
            short_details=(age,),
        )
    reset: list[str] = []
    short_reset: list[str] = []
    if window.resets_at is not None:
        when = fmt.local_time(window.resets_at, now, tz)
        left = fmt.countdown_until(window.resets_at, now)
        reset = [f"resets in {left} ({when})"]
        short_reset = [f"reset {left} ({when})"]
    extra: list[str] = []
    if view.projected_full_at is not None:
        extra.append(f"full at ~{fmt.local_time(view.projected_full_at, now, tz)}")
    if view.pace_message:
        extra.append(view.pace_message)
    used = window.used_percent
    value = fmt.percent(used)
    origin = [window.source, age]
    short_origin = [age.replace(" min ago", "m ago")]
    estimate = view.estimate
    if estimate is not None:
        # Between polls the bar moves with the transcripts; the official number stays beside it.
        used = estimate.used_percent
        value = "~" + fmt.percent(used)
        margin = f"±{estimate.error_percent:.0f}"
        origin = [f"estimate {margin}", f"{window.source} {fmt.percent(window.used_percent)} {age}"]
        short_origin = [f"est. {margin}, {fmt.percent(window.used_percent)} {short_origin[0]}"]
    return BarRow(
        key=f"window:{window.id}",
        label=label,
        short_label=short,
        fraction=used / 100.0,
        value=value,
        level=view.level,
        stale=view.stale,
        details=(*reset, *origin, *extra),
        short_details=(*short_reset, *short_origin, *extra[:1]),
        spark=tuple(view.sparkline),
    )


def extra_usage_row(extra: ExtraUsage, now: datetime, level: Level) -> BarRow:
    age = fmt.age(extra.observed_at, now)
    if not extra.enabled:
        reason = (extra.disabled_reason or "").replace("_", " ")
        why = f"disabled: {reason}" if reason else "not enabled"
        return BarRow(
            key="extra",
            label="Extra usage",
            short_label="Extra",
            fraction=None,
            value="off",
            level="unknown",
            details=(why, extra.source, age),
            short_details=(why,),
        )
    if extra.limit is None:
        spent = fmt.money(extra.used or 0.0, extra.currency) + " spent"
        return BarRow(
            key="extra",
            label="Extra usage",
            short_label="Extra",
            fraction=None,
            value="no cap",
            level="ok",
            details=(spent, extra.source, age),
            short_details=(spent, age),
        )
    percent = extra.used_percent
    if percent is None and extra.used is not None and extra.limit > 0:
        percent = 100.0 * extra.used / extra.limit
    money = fmt.money_of(extra.used, extra.limit, extra.currency)
    return BarRow(
        key="extra",
        label="Extra usage",
        short_label="Extra",
        fraction=None if percent is None else percent / 100.0,
        value=fmt.percent(percent),
        short_value=money,
        level=level,
        details=(money, extra.source, age),
        short_details=(age,),
    )


def rate_limit_row(limit: RateLimit, now: datetime, level: Level) -> BarRow:
    age = fmt.age(limit.observed_at, now)
    used = limit.used_percent
    left = f"{fmt.compact_count(limit.remaining)} of {fmt.compact_count(limit.limit)} left"
    return BarRow(
        key=f"rate:{limit.id}",
        label=fmt.rate_limit_label(limit.id),
        short_label=fmt.rate_limit_label(limit.id, short=True),
        fraction=used / 100.0,
        value=fmt.percent(used),
        short_value=left,
        level=level,
        details=(left, "probe", age),
        short_details=(age,),
    )


def admin_row(snapshot: Snapshot, now: datetime) -> BarRow | None:
    admin = snapshot.admin
    if admin is None:
        return None
    value = f"{fmt.compact_count(admin.tokens_today)} tokens today"
    cost = f"{fmt.money(admin.cost_month, admin.currency)} this month"
    return BarRow(
        key="admin",
        label="Organisation",
        short_label="Org",
        fraction=None,
        value=value,
        level="ok",
        details=(cost, "admin", fmt.age(admin.observed_at, now)),
        short_details=(cost,),
    )


def build_rows(snapshot: Snapshot, now: datetime, tz: tzinfo | None) -> list[BarRow]:
    """The bars, with the levels the snapshot decided (widgets decide none)."""
    rows = [window_row(view, now, tz) for view in snapshot.windows]
    if snapshot.extra_usage is not None:
        rows.append(extra_usage_row(snapshot.extra_usage, now, snapshot.extra_usage_level))
    rows.extend(
        rate_limit_row(limit, now, snapshot.rate_limit_level(limit.id))
        for limit in snapshot.rate_limits
    )
    admin = admin_row(snapshot, now)
    if admin is not None:
        rows.append(admin)
    return rows


def countdown_deadlines(snapshot: Snapshot) -> list[datetime | None]:
    """The reset times the bars count down to (rate limits show no countdown)."""
    return [view.window.resets_at for view in snapshot.windows]


class QuotaBar(TextWidget):
    """One window: label, bar, percent, level; then reset, source and age, dimmed."""

    DEFAULT_CSS = """
    QuotaBar {
        height: auto;
        width: 1fr;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "quota-bar--label",
        "quota-bar--fill",
        "quota-bar--track",
        "quota-bar--value",
        "quota-bar--level",
        "quota-bar--detail",
        "quota-bar--stale",
        "quota-bar--spark",
    }

    def __init__(self, row: BarRow, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.row = row
        self._apply_classes()

    def show(self, row: BarRow) -> None:
        """Show ``row``; repaints only when something visible changed."""
        if row == self.row:
            return
        self.row = row
        self._apply_classes()
        self.changed()

    def _apply_classes(self) -> None:
        row = self.row
        for name in LEVEL_CLASSES:
            self.set_class(name == f"-{row.level}", name)
        self.set_class(row.stale, "-stale")

    def _style(self, name: str) -> Style:
        return self.style_of(f"quota-bar--{name}")

    def _bar(self, width: int) -> Text:
        fraction = self.row.fraction
        filled, empty = fmt.bar_cells(fraction or 0.0, width)
        return Text.assemble((filled, self._style("fill")), (empty, self._style("track")))

    def _level_word(self) -> str:
        return self.row.level if self.row.level in ("warning", "critical", "exhausted") else ""

    def build(self, width: int) -> Text:
        row = self.row
        width = max(width, 10)
        detail_style = self._style("detail")
        sep = " · "
        level_word = self._level_word()
        if width < NARROW_WIDTH:
            head = Text.assemble(
                (row.short_label, self._style("label")),
                "  ",
                (row.narrow_value, self._style("value")),
            )
            if level_word:
                head.append("  " + level_word, self._style("level"))
            if row.stale:
                head.append("  STALE", self._style("stale"))
            spark = fmt.sparkline(row.spark, max(0, width - head.cell_len - 2))[-SPARK_NARROW:]
            if spark:
                head.append("  " + spark, self._style("spark"))
            lines = [head]
            if row.fraction is not None:
                lines.append(self._bar(width))
            if row.short_details:
                lines.append(Text(sep.join(row.short_details), style=detail_style))
            return Text("\n").join(lines)
        label = row.label if len(row.label) < LABEL_WIDTH else row.short_label
        head = Text(label.ljust(LABEL_WIDTH), style=self._style("label"))
        if row.fraction is None:
            head.append(row.value, self._style("value"))
        else:
            value = row.value.rjust(6)
            # The history area is reserved on every bar so that the bars line up.
            spark_cells = SPARK_WIDE if width >= 80 else SPARK_NARROW
            spark = fmt.sparkline(row.spark, spark_cells)
            bar_width = max(4, width - LABEL_WIDTH - len(value) - 2 - LEVEL_WIDTH - spark_cells)
            head.append_text(self._bar(bar_width))
            head.append(" " + spark.rjust(spark_cells), self._style("spark"))
            head.append(" ")
            head.append(value, self._style("value"))
        if level_word:
            head.append("  " + level_word, self._style("level"))
        detail = Text(sep.join(row.details), style=detail_style)
        if row.stale:
            detail.append(sep)
            detail.append("STALE", self._style("stale"))
        return Text("\n").join([head, detail])
