"""The commented default config file that ``limitwatch config init`` writes.

Made from the model's declarations: every key with its comment and its default value; a key
without a default is commented out with its example. The prose here is only what belongs to
a table as a whole (per-window tables, ``[[accounts]]``). ``tests/test_config.py`` checks that
this text parses to exactly the defaults.
"""

from __future__ import annotations

from typing import Any

from tui.config.model import SECTION_TYPES, AccountConfig, Thresholds, default_of, keys_of

_HEADER = """\
# limitwatch configuration (TOML).
#
# Every key below shows its default value. Delete a key to go back to the default.
# Check your edits with:  limitwatch config validate
# See effective values:   limitwatch config show
"""

_WINDOWS = """\

# A table per limit window overrides the thresholds above for that window only.
# Window ids: five_hour, seven_day, seven_day_opus, seven_day_sonnet, and any others
# Anthropic reports.
# Give one or both keys; a missing one is taken from [thresholds].
# [thresholds.seven_day]
# warning = 60
# critical = 85
"""

_ACCOUNTS = """\
# Several Claude Code sign-ins at once (personal and work, several seats): one [[accounts]]
# table each. When there is one, these folders replace $CLAUDE_CONFIG_DIR and
# [sources] claude_config_dir; without any, each folder named there is an account
# (~/.claude-work is "work", ~/.claude is "default").
"""

_ACCOUNT_THRESHOLDS = """\
# [accounts.thresholds] (optional): like [thresholds], for this account only; a key it
# leaves out comes from [thresholds]. Per-window tables: [accounts.thresholds.<window id>].
"""


def toml_value(value: Any) -> str:
    """One value as TOML writes it; a whole float as a whole number (``75``, not ``75.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    import tomli_w  # only when a value is written out (not when a config is read)

    return str(tomli_w.dumps({"v": value})).split("=", 1)[1].strip()


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" for line in text.splitlines())


def _keys(cls: type[Any]) -> str:
    lines = ""
    for item, about in keys_of(cls):
        lines += _comment(about.help)
        default = default_of(item)
        if default is None:
            lines += f"# {item.name} = {toml_value(about.example)}\n"
        else:
            lines += f"{item.name} = {toml_value(default)}\n"
    return lines


def _accounts() -> str:
    text = _ACCOUNTS
    for item, about in keys_of(AccountConfig):
        text += f"# {item.name}: {about.help}.\n"
    text += _ACCOUNT_THRESHOLDS + "# [[accounts]]\n"
    for item, about in keys_of(AccountConfig):
        text += f"# {item.name} = {toml_value(about.example)}\n"
    return text + "# [accounts.thresholds]\n# warning = 60\n"


def default_config_text() -> str:
    """The commented default file that ``limitwatch config init`` writes."""
    parts = [_HEADER, "\n[thresholds]\n", _keys(Thresholds), _WINDOWS]
    for name, cls in SECTION_TYPES.items():
        parts += ["\n", f"[{name}]\n", _keys(cls)]
    parts += ["\n", _accounts()]
    return "".join(parts)
