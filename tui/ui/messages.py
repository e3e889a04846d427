"""Textual messages that carry data from workers to the screen."""

from __future__ import annotations

from textual.message import Message

from tui.models import Snapshot


class SnapshotReady(Message):
    """A new snapshot from the monitor (after a poll or a manual refresh)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot
