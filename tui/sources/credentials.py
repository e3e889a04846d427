"""Finds Claude Code's sign-in, an API key and an admin key. Read-only, always.

Claude Code's OAuth token lives in ``$CLAUDE_CONFIG_DIR/.credentials.json`` (default
``~/.claude``), on macOS in the Keychain. We never write that file and never refresh the token:
refresh tokens are single-use, and refreshing them would log Claude Code out. When the file
changes (Claude Code refreshed the token), the next ``oauth()`` call picks it up.

Secrets never leave this module unmasked except as the ``value`` / ``access_token`` fields, which
are hidden from ``repr``. Use ``mask()`` wherever a person must recognise which key is in use.
Every secret read is registered with ``tui.secrets``, so the output sinks mask it by value. The
file is read only when it is a regular file of bounded size; a token holding a control
character is refused (and never echoed).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from tui import paths, secrets
from tui.clock import Clock, SystemClock
from tui.config import Config
from tui.state_file import FileRefused, read_bounded

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


@dataclass(frozen=True)
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
        digest = hashlib.sha256(b"limitwatch-usage:" + self.access_token.strip().encode())
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class ApiKey:
    value: str = field(repr=False)
    origin: str  # the environment variable it came from
    kind: Literal["api", "admin"]

    @property
    def masked(self) -> str:
        return mask(self.value)


@dataclass(frozen=True)
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
    digest = hashlib.sha256(str(config_dir).encode()).hexdigest()[:8]
    return f"{KEYCHAIN_SERVICE}-{digest}"


def read_macos_keychain(service: str) -> str | None:
    """The Keychain item's secret via ``security``; None when absent or on any failure."""
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


def _fmt_time(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


class CredentialStore:
    """Where credentials are found; re-reads Claude Code's file only when it changed."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock,
        env: Mapping[str, str] | None = None,
        keychain: Callable[[str], str | None] | None = None,
    ) -> None:
        self._config = config
        self._clock = clock
        self._env: Mapping[str, str] = os.environ if env is None else env
        if keychain is None and sys.platform == "darwin":
            keychain = read_macos_keychain
        self._keychain = keychain
        self._fixed = False
        self._fixed_oauth: OAuthCredentials | None = None
        self._fixed_api: ApiKey | None = None
        self._fixed_admin: ApiKey | None = None
        self._file_sig: tuple[int, int, int] | None = None
        self._file_creds: OAuthCredentials | None = None
        self._file_problem: CredentialProblem | None = None
        self._keychain_checked_at: float | None = None
        self._keychain_creds: OAuthCredentials | None = None
        self._keychain_problem: CredentialProblem | None = None
        self._last_fingerprint: tuple[object, ...] | None = None
        self._seen_first = False
        self.generation = 0

    @classmethod
    def fixed(
        cls,
        *,
        oauth: OAuthCredentials | None = None,
        api_key: ApiKey | None = None,
        admin_key: ApiKey | None = None,
    ) -> CredentialStore:
        """A store that returns exactly these (demo, tests); it reads no file or variable."""
        store = cls(Config(), clock=SystemClock(), env={}, keychain=lambda _s: None)
        secrets.register(oauth.access_token if oauth is not None else None)
        for key in (api_key, admin_key):
            secrets.register(key.value if key is not None else None)
        store._fixed = True
        store._fixed_oauth = oauth
        store._fixed_api = api_key
        store._fixed_admin = admin_key
        return store

    @property
    def is_fixed(self) -> bool:
        """True for ``fixed()`` stores (demo, tests): nothing of theirs belongs on disk."""
        return self._fixed

    # -- where ---------------------------------------------------------------------------

    def _configured_dir(self) -> str:
        return (self._config.sources.claude_config_dir or "").strip() or (
            self._env.get("CLAUDE_CONFIG_DIR", "").strip()
        )

    def config_dir(self) -> Path:
        raw = self._configured_dir()
        if raw:
            return paths.primary_claude_config_dir(raw)
        return paths.home_dir() / ".claude"

    def credentials_file(self) -> Path:
        return self.config_dir() / ".credentials.json"

    def keychain_service(self) -> str:
        return keychain_service_name(self.config_dir() if self._configured_dir() else None)

    # -- reading -------------------------------------------------------------------------

    def _read_file(self) -> None:
        path = self.credentials_file()
        try:
            st = path.stat()
        except FileNotFoundError:
            self._file_sig = None
            self._file_creds = None
            self._file_problem = None
            return
        except OSError as exc:
            self._file_sig = None
            self._file_creds = None
            self._file_problem = CredentialProblem(
                "unreadable", str(path), f"cannot read Claude Code's credentials: {exc.strerror}"
            )
            return
        sig = (st.st_mtime_ns, st.st_size, st.st_ino)
        if sig == self._file_sig:
            return
        self._file_sig = sig
        try:
            text = read_bounded(path, limit=MAX_CREDENTIALS_BYTES).decode("utf-8")
        except (OSError, UnicodeDecodeError, FileRefused) as exc:
            if isinstance(exc, FileRefused):
                reason = exc.reason
            elif isinstance(exc, OSError):
                reason = exc.strerror or type(exc).__name__
            else:
                reason = "not UTF-8 text"
            self._file_creds = None
            self._file_problem = CredentialProblem(
                "unreadable", str(path), f"cannot read Claude Code's credentials: {reason}"
            )
            return
        self._file_creds, self._file_problem = parse_credentials(text, str(path))

    def _read_keychain(self) -> None:
        if self._keychain is None:
            return
        mono = self._clock.monotonic()
        if (
            self._keychain_checked_at is not None
            and mono - self._keychain_checked_at < KEYCHAIN_RECHECK_SECONDS
        ):
            return
        self._keychain_checked_at = mono
        service = self.keychain_service()
        try:
            text = self._keychain(service)
        except Exception:
            text = None
        if not text:
            self._keychain_creds, self._keychain_problem = None, None
            return
        self._keychain_creds, self._keychain_problem = parse_credentials(
            text, f"keychain:{service}"
        )

    def _env_token(self) -> OAuthCredentials | None:
        token = self._env.get(OAUTH_TOKEN_ENV, "").strip()
        secrets.register(token)
        if not token:
            return None
        return OAuthCredentials(
            access_token=token,
            expires_at=None,
            scopes=("user:inference",),
            subscription_type=None,
            rate_limit_tier=None,
            origin=OAUTH_TOKEN_ENV,
        )

    def oauth(self) -> OAuthCredentials | None:
        """Claude Code's sign-in: Keychain (macOS), then the file, then CLAUDE_CODE_OAUTH_TOKEN."""
        if self._fixed:
            return self._fixed_oauth
        self._read_keychain()
        self._read_file()
        found = self._keychain_creds or self._file_creds or self._env_token()
        fingerprint: tuple[object, ...] | None = None
        if found is not None:
            fingerprint = (
                found.account_key,
                found.expires_at,
                found.scopes,
                found.subscription_type,
                found.rate_limit_tier,
                found.origin,
            )
        if not self._seen_first:
            self._seen_first = True
        elif fingerprint != self._last_fingerprint:
            self.generation += 1
        self._last_fingerprint = fingerprint
        return found

    def oauth_problem(self) -> CredentialProblem | None:
        """Why the sign-in cannot be used: corrupt, unreadable, no claudeAiOauth, expired."""
        if self._fixed:
            creds = self._fixed_oauth
            if creds is not None and creds.expired(self._clock.now()):
                return self._expired_problem(creds)
            return None
        creds = self.oauth()
        if creds is not None and creds.origin != OAUTH_TOKEN_ENV:
            if creds.expired(self._clock.now()):
                return self._expired_problem(creds)
            return None
        problem = self._keychain_problem or self._file_problem
        return problem

    def _expired_problem(self, creds: OAuthCredentials) -> CredentialProblem:
        when = _fmt_time(creds.expires_at) if creds.expires_at else "an unknown time"
        return CredentialProblem(
            "expired",
            creds.origin,
            f"Claude Code's sign-in expired at {when}; run `claude` once and it renews it "
            "(limitwatch never refreshes it itself).",
        )

    def _key_from_env(self, var: str, kind: Literal["api", "admin"]) -> ApiKey | None:
        value = self._env.get(var, "").strip()
        secrets.register(value)
        if not value:
            return None
        return ApiKey(value=value, origin=var, kind=kind)

    def api_key(self) -> ApiKey | None:
        if self._fixed:
            return self._fixed_api
        return self._key_from_env(self._config.sources.api_key_env, "api")

    def admin_key(self) -> ApiKey | None:
        if self._fixed:
            return self._fixed_admin
        return self._key_from_env(self._config.sources.admin_key_env, "admin")

    # -- doctor --------------------------------------------------------------------------

    def findings(self) -> list[str]:
        """Plain-language lines for ``limitwatch doctor``; secrets appear masked only."""
        now = self._clock.now()
        lines: list[str] = []
        creds = self.oauth()
        problem = self.oauth_problem()
        if creds is not None:
            plan = creds.plan or creds.subscription_type or "unknown plan"
            tier = f", tier {creds.rate_limit_tier}" if creds.rate_limit_tier else ""
            origin = creds.origin
            lines.append(f"Claude sign-in: {creds.masked} from {origin} ({plan}{tier})")
            if creds.expires_at is not None:
                state = "EXPIRED" if creds.expired(now) else "valid"
                lines.append(f"  {state}, expires {_fmt_time(creds.expires_at)}")
            if not creds.can_read_usage:
                lines.append(
                    "  this token cannot read subscription usage (no user:profile scope; "
                    "tokens from `claude setup-token` are inference-only)"
                )
        elif not self._fixed:
            lines.append(
                f"Claude sign-in: none found (looked in {self.credentials_file()}"
                + (f" and the Keychain item {self.keychain_service()!r}" if self._keychain else "")
                + f" and ${OAUTH_TOKEN_ENV})"
            )
        else:
            lines.append("Claude sign-in: none")
        if problem is not None:
            lines.append(f"  problem ({problem.what}) at {problem.location}: {problem.detail}")
        api = self.api_key()
        if api is not None:
            lines.append(f"API key: {api.masked} from ${api.origin}")
            if creds is not None:
                lines.append(
                    f"  note: with ${api.origin} set, Claude Code bills that API key instead of "
                    "your subscription"
                )
        else:
            lines.append(f"API key: none (${self._config.sources.api_key_env} is not set)")
        admin = self.admin_key()
        if admin is not None:
            lines.append(f"Admin key: {admin.masked} from ${admin.origin}")
        else:
            lines.append(f"Admin key: none (${self._config.sources.admin_key_env} is not set)")
        return lines
