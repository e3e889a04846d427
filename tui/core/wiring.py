"""The production wiring of one account's monitor: its network sources, history in the data
folder, the notifier, transcripts, and the account's own state files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from tui import paths
from tui.clock import Clock
from tui.config import Config
from tui.core.monitor import Monitor
from tui.sources.network import default_sources

if TYPE_CHECKING:
    from tui.sources.credentials import CredentialStore


def create_monitor(
    config: Config,
    *,
    clock: Clock,
    credentials: CredentialStore,
    base_url: str,
    use_history: bool = True,
    use_transcripts: bool = True,
    notify: bool = True,
    write_terminal: Callable[[str], None] | None = None,
    config_dir: Path | None = None,
    label: str = "",
    transcript_roots: Sequence[Path] | None = None,
    network: Sequence[str] = ("oauth_usage", "probe", "admin"),
    tz: tzinfo | None = None,
    account: str = "default",
    recent_errors: bool = False,
) -> Monitor:
    """The production wiring: history in the data folder, notifier, transcripts. With
    ``config_dir`` (one of several accounts), the account's own status line feed,
    last-error file and transcripts (``transcript_roots``). ``network``: the network
    sources to run (one-shot commands leave out the probe, which costs tokens).
    ``recent_errors``: without the transcripts scan, still read the newest error Claude Code
    showed from the ends of the recent transcripts (``status``, ``doctor``)."""
    history = None
    if use_history:
        from tui.core.history import History

        history = History(
            paths.history_db(), retention_days=config.history.retention_days, clock=clock
        )
    notifier = None
    if notify:
        from tui.core.notify import Notifier

        notifier = Notifier(config.notify, write_terminal=write_terminal)
    transcripts = None
    if use_transcripts:
        from tui.sources.transcripts.source import TranscriptSource

        transcripts = TranscriptSource(
            transcript_roots,
            clock=clock,
            configured_dir=config.sources.claude_config_dir,
            interval=config.poll.transcripts_interval,
        )
    sources = default_sources(config, clock, credentials, only=network)
    if recent_errors and transcripts is None:
        # One-shot commands do not scan: they read the newest error from the files' ends.
        from tui.sources.transcripts.latest import transcript_roots as roots_of
        from tui.sources.transcripts.recent import RecentErrorSource

        roots = transcript_roots or roots_of(config.sources.claude_config_dir)
        sources.append(RecentErrorSource(roots, clock=clock, memo=paths.transcript_tails_file()))
    return Monitor(
        config,
        clock=clock,
        credentials=credentials,
        base_url=base_url,
        history=history,
        notifier=notifier,
        transcripts=transcripts,
        network_sources=sources,
        label=label,
        account=account,
        tz=tz,
        statusline_path=paths.statusline_file(config_dir) if config_dir else None,
        last_error_path=paths.last_error_file(config_dir) if config_dir else None,
        estimate_path=paths.estimate_file(config_dir) if config_dir else None,
    )
