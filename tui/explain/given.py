"""What every wording function is given (``Given``) and gives back (``Words``)."""

from __future__ import annotations

from tui.explain.context import UsageContext, Vocabulary
from tui.explain.facts import Facts
from tui.models import ExtraUsage
from tui.record import field, record

TITLE_MAX = 40


@record(frozen=False)
class Words:
    title: str
    why: list[str]
    actions: list[str]


@record(frozen=False)
class Given:
    """Everything a wording function may use."""

    class_id: str
    window_id: str | None
    facts: Facts
    context: UsageContext | None
    when: str | None  # the retry or reset time in words, in the user's zone
    vocab: Vocabulary
    signals: tuple[str, ...] = ()
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.text = self.facts.text

    @property
    def extra(self) -> ExtraUsage | None:
        return self.context.extra_usage if self.context is not None else None

    @property
    def plan(self) -> str:
        return (self.context.plan or "") if self.context is not None else ""


def pick_title(vocab: Vocabulary, *templates: str) -> str:
    """The first template that fits ``TITLE_MAX`` with the user's word, else the new word."""
    for template in templates:
        title = template.format(t=vocab.term, T=vocab.cap)
        if len(title) <= TITLE_MAX:
            return title
    return templates[-1].format(t="usage credits", T="Usage credits")[:TITLE_MAX]
