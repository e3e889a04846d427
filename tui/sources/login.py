"""What Claude Code's sign-in and the API keys hold, read from their raw text: the frozen
credentials, their masking, and the macOS Keychain read. Read-only, always; never refreshed.

``value`` / ``access_token`` fields are hidden from ``repr``; ``mask()`` is how a person
recognises which key is in use. A token holding a control character is refused (and never
echoed).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from tui import secrets
from tui.digest import sha256_hex
from tui.record import field, record

EXPIRY_MARGIN = timedelta(minutes=5)  # Claude Code treats a token as expired 5 minutes early
KEYCHAIN_SERVICE = "Claude Code-credentials"
OAUTH_TOKEN_ENV = "CLAUDE_CODE_OAUTH_TOKEN"
KEYCHAIN_RECHECK_SECONDS = 60.0
_PLANS = ("pro", "max", "team", "enterprise")
MAX_CREDENTIALS_BYTES = 1_000_000  # Claude Code's file is well under 10 kB
_CONTROL_WORDS = (
    "holds a control character (a damaged file or variable?); it is not used. Sign in again "
    "with `claude`."
)


def mask(secret: str | None) -> str:
    """``sk-ant-...abcd``: enough to recognise a key, never enough to use it."""
    if not secret:
        return "(none)"
    return secrets.short_form(secret)


def has_control_character(value: str) -> bool:
    """True for C0/C1 control characters and DEL: no header may carry them."""
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value)


@record
class OAuthCredentials:
    access_token: str = field(repr=False)
    expires_at: datetime | None
    scopes: tuple[str, ...]
    subscription_type: str | None
    rate_limit_tier: str | None
    origin: str  # a file path, "keychain:<service>" or "CLAUDE_CODE_OAUTH_TOKEN"

    @property
    def masked(self) -> str:
        return mask(self.access_token)

    def expired(self, now: datetime) -> bool:
        """True once within Claude Code's 5-minute margin of ``expiresAt``."""
        if self.expires_at is None:
            return False
        return now >= self.expires_at - EXPIRY_MARGIN

    @property
    def can_read_usage(self) -> bool:
        """False for a token known to lack ``user:profile`` (e.g. from ``claude setup-token``)."""
        if self.origin == OAUTH_TOKEN_ENV:
            return False
        return not self.scopes or "user:profile" in self.scopes

    @property
    def plan(self) -> str | None:
        raw = (self.subscription_type or "").strip().lower()
        for plan in _PLANS:
            if raw == plan or raw.startswith(plan) or raw == f"claude_{plan}":
                return plan
        return None

    @property
    def account_key(self) -> str:
        """A short hash naming the usage cache of this sign-in (never the token itself)."""
        return sha256_hex(b"limitwatch-usage:" + self.access_token.strip().encode())[:16]


@record
class ApiKey:
    value: str = field(repr=False)
    origin: str  # the environment variable it came from
    kind: Literal["api", "admin"]

    @property
    def masked(self) -> str:
        return mask(self.value)


@record
class CredentialProblem:
    what: str  # short: "corrupt", "unreadable", "no sign-in", "expired", "keychain"
    location: str
    detail: str  # plain words, what to do


def _epoch_ms(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            return None
    try:
        seconds = float(value)
        if seconds > 1e11:  # milliseconds (Claude Code's format); seconds otherwise
            seconds /= 1000.0
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_credentials(
    text: str, origin: str
) -> tuple[OAuthCredentials | None, CredentialProblem | None]:
    """Claude Code's credentials JSON -> credentials, or a problem in plain words."""
    try:
        data = json.loads(text)
    except RecursionError:
        return None, CredentialProblem(
            "corrupt",
            origin,
            "Claude Code's credentials are nested too deeply to be real; sign in again with "
            "`claude`.",
        )
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        return None, CredentialProblem(
            "corrupt",
            origin,
            f"Claude Code's credentials are not valid JSON{where}; sign in again with `claude`.",
        )
    if not isinstance(data, dict):
        return None, CredentialProblem(
            "corrupt", origin, "Claude Code's credentials are not a JSON object."
        )
    oauth = data.get("claudeAiOauth")
    if not isinstance(oauth, dict):
        return None, CredentialProblem(
            "no sign-in",
            origin,
            "there is no Claude subscription sign-in (claudeAiOauth) here; run `claude` and "
            "/login to sign in with your Claude account.",
        )
    token = oauth.get("accessToken")
    refresh = oauth.get("refreshToken")
    for secret in (token, refresh):
        secrets.register(secret if isinstance(secret, str) else None)
    if not isinstance(token, str) or not token.strip():
        return None, CredentialProblem(
            "no sign-in", origin, "the sign-in has no access token; run `claude` and /login."
        )
    if has_control_character(token.strip()):
        return None, CredentialProblem("corrupt", origin, f"the access token {_CONTROL_WORDS}")
    raw_scopes = oauth.get("scopes")
    scopes = (
        tuple(s for s in raw_scopes if isinstance(s, str)) if isinstance(raw_scopes, list) else ()
    )
    sub = oauth.get("subscriptionType")
    tier = oauth.get("rateLimitTier")
    creds = OAuthCredentials(
        access_token=token.strip(),
        expires_at=_epoch_ms(oauth.get("expiresAt")),
        scopes=scopes,
        subscription_type=sub if isinstance(sub, str) and sub else None,
        rate_limit_tier=tier if isinstance(tier, str) and tier else None,
        origin=origin,
    )
    return creds, None


def keychain_service_name(config_dir: Path | None) -> str:
    """``Claude Code-credentials``, plus ``-<sha256[:8]>`` for a non-default config folder."""
    if config_dir is None:
        return KEYCHAIN_SERVICE
    digest = sha256_hex(str(config_dir).encode())[:8]
    return f"{KEYCHAIN_SERVICE}-{digest}"


def read_macos_keychain(service: str) -> str | None:
    """The Keychain item's secret via ``security``; None when absent or on any failure."""
    import subprocess  # macOS only: not loaded by every command

    try:
        done = subprocess.run(
            ["security", "find-generic-password", "-s", service, "-w"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None
