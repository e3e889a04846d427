"""Build a real Monitor wired to the simulator, with injected time and fixed credentials."""

from __future__ import annotations

from datetime import timedelta

from tui import paths
from tui.clock import ManualClock
from tui.config import Config, ProbeConfig
from tui.core.history import History
from tui.core.monitor import Monitor
from tui.simulator import SIM_ADMIN_KEY, SIM_API_KEY, SIM_OAUTH_TOKEN, Simulator
from tui.sources.credentials import ApiKey, CredentialStore, OAuthCredentials
from tui.sources.transcripts.source import TranscriptSource


def sim_credentials(
    clock: ManualClock, *, oauth: bool = True, api_key: bool = True, admin: bool = False
) -> CredentialStore:
    return CredentialStore.fixed(
        oauth=OAuthCredentials(
            access_token=SIM_OAUTH_TOKEN,
            expires_at=clock.now() + timedelta(days=1),
            scopes=("user:inference", "user:profile"),
            subscription_type="max",
            rate_limit_tier="default_claude_max_5x",
            origin="simulator",
        )
        if oauth
        else None,
        api_key=ApiKey(SIM_API_KEY, "ANTHROPIC_API_KEY", "api") if api_key else None,
        admin_key=ApiKey(SIM_ADMIN_KEY, "ANTHROPIC_ADMIN_KEY", "admin") if admin else None,
    )


def sim_monitor(
    sim: Simulator,
    clock: ManualClock,
    *,
    config: Config | None = None,
    credentials: CredentialStore | None = None,
    transcripts_root=None,
    probe: bool = True,
) -> Monitor:
    config = config or Config(probe=ProbeConfig(enabled=probe))
    history = History(paths.history_db(), clock=clock)
    transcripts = (
        TranscriptSource([transcripts_root], clock=clock) if transcripts_root is not None else None
    )
    return Monitor(
        config,
        clock=clock,
        credentials=credentials or sim_credentials(clock),
        base_url=sim.base_url,
        history=history,
        transcripts=transcripts,
    )
