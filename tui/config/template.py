"""The commented default config file that ``limitwatch config init`` writes.

Every key is present, with the default value; keys without a default are commented out.
``tests/test_config.py`` checks that this text parses to exactly the defaults of ``tui.config``.
"""

from __future__ import annotations

DEFAULT_CONFIG_TEXT = """\
# limitwatch configuration (TOML).
#
# Every key below shows its default value. Delete a key to go back to the default.
# Check your edits with:  limitwatch config validate
# See effective values:   limitwatch config show

[thresholds]
# Percent of a limit window used at which a bar turns yellow and an alert fires.
warning = 75
# Percent used at which a bar turns red. Must be above warning.
critical = 90

# A table per limit window overrides the thresholds above for that window only.
# Window ids: five_hour, seven_day, seven_day_opus, seven_day_sonnet, and any others
# Anthropic reports.
# Give one or both keys; a missing one is taken from [thresholds].
# [thresholds.seven_day]
# warning = 60
# critical = 85

[poll]
# Seconds between usage checks (the usage endpoint is throttled; at least 60).
usage_interval = 300
# Seconds between probe requests, when the probe is on (at least 10).
probe_interval = 60
# Seconds between reads of Claude Code's transcripts for new errors (at least 1).
transcripts_interval = 5

[probe]
# Send a tiny request to read rate-limit headers and the live error:
# "auto" = only with an API key; true = also with a subscription (uses a little plan quota);
# false = never.
enabled = "auto"
# The model the probe asks (the cheapest one is best).
model = "claude-haiku-4-5"

[notify]
# Ring the terminal bell when an alert fires.
bell = true
# Show a desktop notification when an alert fires.
desktop = false
# A command to run for each alert; it gets the alert as JSON on stdin.
# command = "notify-send limitwatch"
# Seconds the command may run before it is stopped.
command_timeout = 10

[sources]
# API base URL (default: $ANTHROPIC_BASE_URL, else Anthropic's API).
# base_url = "https://api.anthropic.com"
# Claude Code's config folder(s), comma separated (default: $CLAUDE_CONFIG_DIR, else ~/.claude).
# claude_config_dir = "~/.claude"
# Name of the environment variable holding an API key.
api_key_env = "ANTHROPIC_API_KEY"
# Name of the environment variable holding an admin key (organisation usage and cost).
admin_key_env = "ANTHROPIC_ADMIN_KEY"

[history]
# Days of usage samples to keep (1 to 3650).
retention_days = 35

[statusline]
# The line `limitwatch statusline` prints. Placeholders: {model} {five_hour} {seven_day}
# {five_hour_reset} {seven_day_reset} {error}. Write {{ or }} for a literal brace.
format = "{model} · 5h {five_hour} · 7d {seven_day}{error}"
"""
