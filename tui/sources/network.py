"""The network sources of one account: the usage endpoint, the probe, the admin reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.clock import Clock
from tui.config import Config

if TYPE_CHECKING:
    from tui.sources.base import Source
    from tui.sources.credentials import CredentialStore


ALL = ("oauth_usage", "probe", "admin")


def default_sources(
    config: Config, clock: Clock, credentials: CredentialStore, only: Sequence[str] = ALL
) -> list[Source]:
    """The network sources: the usage endpoint, the probe, the admin reports (those in
    ``only``; a module is imported only for a source that is built)."""
    found: list[Source] = []
    if "oauth_usage" in only:
        from tui.sources.oauth.source import OAuthUsageSource

        found.append(OAuthUsageSource(credentials, config=config, clock=clock))
    if "probe" in only:
        from tui.sources.probe import ProbeSource

        found.append(ProbeSource(credentials, config=config, clock=clock))
    if "admin" in only:
        from tui.sources.admin import AdminSource

        found.append(AdminSource(credentials, config=config, clock=clock))
    return found
