"""Credentials: found read-only, re-read on change, problems in plain words, never leaked."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from tui.clock import ManualClock
from tui.config import Config, SourcesConfig
from tui.sources.credentials import (
    ApiKey,
    CredentialStore,
    OAuthCredentials,
    keychain_service_name,
    mask,
)

TOKEN = "sk-ant-oat01-test-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-wxyz"
TOKEN2 = "sk-ant-oat01-second-token-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB-qrst"
REFRESH = "sk-ant-ort01-refresh-token-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
API = "sk-ant-api03-some-api-key-DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD-1234"
ADMIN = "sk-ant-admin01-admin-key-EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE-9876"


def write_creds(folder, token=TOKEN, expires_at=None, **extra):
    clock_now = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
    if expires_at is None:
        expires_at = clock_now + timedelta(hours=6)
    oauth = {
        "accessToken": token,
        "refreshToken": REFRESH,
        "expiresAt": int(expires_at.timestamp() * 1000),
        "scopes": ["user:inference", "user:profile"],
        "subscriptionType": "max",
        "rateLimitTier": "default_claude_max_20x",
    }
    oauth.update(extra)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".credentials.json"
    path.write_text(json.dumps({"claudeAiOauth": oauth}))
    return path


def store_for(env=None, config=None, clock=None, keychain=None):
    return CredentialStore(
        config or Config(),
        clock=clock or ManualClock(),
        env=env if env is not None else dict(os.environ),
        keychain=keychain,
    )


def test_mask_shows_only_prefix_and_last_four():
    assert mask(API) == "sk-ant-...1234"
    assert mask("abcdefghijklmnopqrstuvwxyz") == "...wxyz"
    assert mask("short") == "****"
    assert mask(None) == "(none)"
    assert mask("") == "(none)"


def test_reads_claude_code_file_with_plan_tier_and_expiry(isolated_paths):
    write_creds(isolated_paths.claude)
    creds = store_for().oauth()
    assert creds is not None
    assert creds.access_token == TOKEN
    assert creds.plan == "max"
    assert creds.rate_limit_tier == "default_claude_max_20x"
    assert creds.expires_at == datetime(2026, 4, 14, 15, 0, tzinfo=UTC)
    assert creds.can_read_usage
    assert creds.origin.endswith(".credentials.json")
    assert creds.masked == "sk-ant-...wxyz"


def test_expiry_uses_claude_codes_five_minute_margin(isolated_paths):
    clock = ManualClock()
    write_creds(isolated_paths.claude, expires_at=clock.now() + timedelta(minutes=10))
    store = store_for(clock=clock)
    creds = store.oauth()
    assert creds is not None
    assert not creds.expired(clock.now())
    assert store.oauth_problem() is None
    clock.advance(5 * 60 + 1)  # 4 min 59 s before expiresAt: already expired for Claude Code
    assert creds.expired(clock.now())
    problem = store.oauth_problem()
    assert problem is not None and problem.what == "expired"
    assert "run `claude`" in problem.detail


def test_changed_file_is_picked_up_and_generation_bumps(isolated_paths):
    path = write_creds(isolated_paths.claude)
    store = store_for()
    first = store.oauth()
    assert first is not None and store.generation == 0
    assert store.oauth() is first  # unchanged file: not re-read
    write_creds(isolated_paths.claude, token=TOKEN2)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    second = store.oauth()
    assert second is not None and second.access_token == TOKEN2
    assert second.account_key != first.account_key
    assert store.generation == 1
    path.unlink()
    assert store.oauth() is None
    assert store.generation == 2


def test_corrupt_file_is_a_problem_not_a_crash(isolated_paths):
    isolated_paths.claude.mkdir(parents=True)
    (isolated_paths.claude / ".credentials.json").write_text('{"claudeAiOauth": {"accessTo')
    store = store_for()
    assert store.oauth() is None
    problem = store.oauth_problem()
    assert problem is not None and problem.what == "corrupt"
    assert str(isolated_paths.claude) in problem.location
    assert "not valid JSON" in problem.detail


def test_unreadable_file_is_a_problem(isolated_paths):
    # a folder where the file should be: stat works, reading fails (also when running as root)
    (isolated_paths.claude / ".credentials.json").mkdir(parents=True)
    store = store_for()
    assert store.oauth() is None
    problem = store.oauth_problem()
    assert problem is not None and problem.what == "unreadable"
    assert "cannot read" in problem.detail


def test_file_with_only_mcp_oauth_says_there_is_no_sign_in(isolated_paths):
    isolated_paths.claude.mkdir(parents=True)
    (isolated_paths.claude / ".credentials.json").write_text(json.dumps({"mcpOAuth": {}}))
    store = store_for()
    assert store.oauth() is None
    problem = store.oauth_problem()
    assert problem is not None and problem.what == "no sign-in"


def test_missing_file_is_no_problem_just_nothing(isolated_paths):
    store = store_for()
    assert store.oauth() is None
    assert store.oauth_problem() is None


def test_store_never_writes_claude_codes_file(isolated_paths):
    clock = ManualClock()
    path = write_creds(isolated_paths.claude, expires_at=clock.now() - timedelta(hours=1))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    store = store_for(clock=clock)
    store.oauth()
    store.oauth_problem()
    store.findings()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_configured_claude_dir_wins_over_environment(isolated_paths, tmp_path):
    other = tmp_path / "other-claude"
    write_creds(other, token=TOKEN2)
    write_creds(isolated_paths.claude)
    config = Config(sources=SourcesConfig(claude_config_dir=str(other)))
    creds = store_for(config=config).oauth()
    assert creds is not None and creds.access_token == TOKEN2


def test_setup_token_from_env_is_inference_only(isolated_paths):
    store = store_for(env={"CLAUDE_CODE_OAUTH_TOKEN": TOKEN})
    creds = store.oauth()
    assert creds is not None
    assert creds.origin == "CLAUDE_CODE_OAUTH_TOKEN"
    assert not creds.can_read_usage


def test_file_sign_in_preferred_over_setup_token(isolated_paths):
    write_creds(isolated_paths.claude, token=TOKEN2)
    creds = store_for(env={"CLAUDE_CODE_OAUTH_TOKEN": TOKEN}).oauth()
    assert creds is not None and creds.access_token == TOKEN2 and creds.can_read_usage


def test_keychain_is_read_with_the_suffixed_service_name(isolated_paths):
    asked = []
    payload = json.dumps(
        {"claudeAiOauth": {"accessToken": TOKEN2, "subscriptionType": "pro", "scopes": []}}
    )

    def keychain(service):
        asked.append(service)
        return payload

    store = store_for(keychain=keychain)
    creds = store.oauth()
    assert creds is not None and creds.access_token == TOKEN2 and creds.plan == "pro"
    # conftest sets CLAUDE_CONFIG_DIR, so the service carries the folder's hash
    assert asked == [keychain_service_name(isolated_paths.claude)]
    assert asked[0].startswith("Claude Code-credentials-") and len(asked[0]) == 32
    assert keychain_service_name(None) == "Claude Code-credentials"


def test_keychain_without_claude_sign_in_falls_back_to_file(isolated_paths):
    write_creds(isolated_paths.claude)
    store = store_for(keychain=lambda _s: json.dumps({"mcpOAuth": {"x": 1}}))
    creds = store.oauth()
    assert creds is not None and creds.access_token == TOKEN


def test_api_and_admin_keys_from_configured_variables(isolated_paths):
    config = Config(sources=SourcesConfig(api_key_env="MY_KEY", admin_key_env="MY_ADMIN"))
    store = store_for(
        env={"MY_KEY": API, "MY_ADMIN": ADMIN, "ANTHROPIC_API_KEY": "nope"}, config=config
    )
    key = store.api_key()
    admin = store.admin_key()
    assert key == ApiKey(value=API, origin="MY_KEY", kind="api")
    assert admin is not None and admin.kind == "admin" and admin.masked == "sk-ant-...9876"
    assert store_for(env={}).api_key() is None


def test_plan_names_from_subscription_type():
    def plan(sub):
        return OAuthCredentials(TOKEN, None, (), sub, None, "x").plan

    assert plan("pro") == "pro"
    assert plan("max") == "max"
    assert plan("team") == "team"
    assert plan("enterprise") == "enterprise"
    assert plan("claude_max") == "max"
    assert plan(None) is None
    assert plan("something_new") is None


def test_no_secret_in_repr_findings_or_account_key(isolated_paths):
    write_creds(isolated_paths.claude)
    store = store_for(env={"ANTHROPIC_API_KEY": API, "ANTHROPIC_ADMIN_KEY": ADMIN})
    creds = store.oauth()
    text = " ".join(
        [repr(creds), str(creds), repr(store.api_key()), repr(store.admin_key()), *store.findings()]
    )
    for secret in (TOKEN, API, ADMIN, REFRESH):
        assert secret not in text
        assert secret[10:30] not in text
    assert creds is not None and creds.account_key not in TOKEN
    assert len(creds.account_key) == 16
    joined = "\n".join(store.findings())
    assert "sk-ant-...wxyz" in joined and "sk-ant-...1234" in joined
    assert "bills that API key instead of your subscription" in joined


def test_fixed_store_reads_nothing(isolated_paths):
    write_creds(isolated_paths.claude)
    key = ApiKey(API, "test", "api")
    store = CredentialStore.fixed(api_key=key)
    assert store.oauth() is None
    assert store.api_key() is key
    assert store.admin_key() is None
