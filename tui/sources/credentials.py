"""Finds Claude Code's sign-in, an API key and an admin key (what they hold: ``login``).
Read-only, always.

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

import os
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal

from tui import paths, secrets
from tui.clock import Clock, SystemClock
from tui.config import Config

# What the sign-in holds lives in ``login``; the names other modules know from here stay here.
from tui.sources.login import (
    KEYCHAIN_RECHECK_SECONDS,
    MAX_CREDENTIALS_BYTES,
    OAUTH_TOKEN_ENV,
    CredentialProblem,
    parse_credentials,
    read_macos_keychain,
)
from tui.sources.login import ApiKey as ApiKey
from tui.sources.login import OAuthCredentials as OAuthCredentials
from tui.sources.login import keychain_service_name as keychain_service_name
from tui.sources.login import mask as mask
from tui.state_file import FileRefused, read_bounded


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
