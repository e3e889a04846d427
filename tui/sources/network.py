"""The network sources of one account: the usage endpoint, the probe, the admin reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.clock import Clock
from tui.config import Config

if TYPE_CHECKING:
    from tui.sources.base import Source
    from tui.sources.credentials import CredentialStore


def default_sources(config: Config, clock: Clock, credentials: CredentialStore) -> list[Source]:
    """The network sources: the usage endpoint, the probe, the admin reports."""
    from tui.sources.admin import AdminSource
    from tui.sources.oauth.source import OAuthUsageSource
    from tui.sources.probe import ProbeSource

    return [
        OAuthUsageSource(credentials, config=config, clock=clock),
        ProbeSource(credentials, config=config, clock=clock),
        AdminSource(credentials, config=config, clock=clock),
    ]
