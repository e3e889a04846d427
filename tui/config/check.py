"""Validating a parsed config against the model's declarations.

``build_config`` turns a parsed TOML mapping into a ``Config`` or raises ``ConfigError`` with
one ``Problem`` per bad key (line number when it can be found, secrets masked, "did you mean"
for a misspelt key). Each key is checked by the kind ``tui.config.model`` declares for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.config.check_thresholds import check_account_thresholds, check_thresholds
from tui.config.collect import Collector, element_key, mask_secrets
from tui.config.kinds import (
    MAX_INTERVAL,
    STATUSLINE_PLACEHOLDERS,
    describe,
    did_you_mean,
    statusline_format_problems,
)
from tui.config.model import (
    SECTION_TYPES,
    THRESHOLD_KEYS,
    TOP_LEVEL,
    AccountConfig,
    Config,
    ConfigError,
    Problem,
    Thresholds,
    keys_of,
)

__all__ = [
    "MAX_INTERVAL",
    "STATUSLINE_PLACEHOLDERS",
    "build_config",
    "config_from_mapping",
    "mask_secrets",
    "statusline_format_problems",
]


def check_keys(
    prefix: str,
    cls: type[Any],
    table: Mapping[str, object],
    out: Collector,
    *,
    skip: tuple[str, ...] = (),
) -> tuple[dict[str, Any], bool]:
    """The declared keys of ``cls`` in ``table``: (the valid values, whether all were valid).

    Every problem is reported, required keys that are missing included. ``skip``: names the
    caller handles itself (sub-tables).
    """
    declared = {item.name: about for item, about in keys_of(cls)}
    values: dict[str, Any] = {}
    ok = True
    for name, raw in table.items():
        if name in skip:
            continue
        dotted = f"{prefix}.{name}"
        about = declared.get(name)
        if about is None:
            out.add(dotted, "unknown key" + did_you_mean(name, [*declared, *skip]))
            ok = False
            continue
        value, message = about.kind.check(raw)
        if message is not None:
            out.add(dotted, message)
            ok = False
        else:
            values[name] = value
    array = prefix.partition("[")[0]
    for name, about in declared.items():
        if about.required and name not in table:
            out.add(f"{prefix}.{name}", f"is required in every [[{array}]] table", at=prefix)
            ok = False
    return values, ok


def _same(key: str, value: str) -> str:
    """What makes two accounts the same: a name in any case, a folder however it is written."""
    if key == "name":
        return value.casefold()
    return str(Path(value.strip()).expanduser())


def _check_accounts(
    raw: object,
    out: Collector,
    base: tuple[Thresholds, Mapping[str, Thresholds]] | None,
) -> tuple[AccountConfig, ...] | None:
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        out.add("accounts", f"must be tables ([[accounts]]), got {describe(raw)}")
        return None
    accounts: list[AccountConfig] = []
    ok = True
    seen: dict[tuple[str, str], str] = {}
    for index, table in enumerate(raw):
        prefix = element_key("accounts", index)
        values, entry_ok = check_keys(prefix, AccountConfig, table, out, skip=("thresholds",))
        for key in ("name", "claude_config_dir"):
            if key not in values:
                continue
            identity = (key, _same(key, values[key]))
            if identity in seen:
                what = "name" if key == "name" else "folder"
                out.add(
                    f"{prefix}.{key}",
                    f"is the {what} of {seen[identity]} already; each account needs its own {what}",
                )
                entry_ok = False
            seen.setdefault(identity, prefix)
        thresholds = table.get("thresholds")
        if thresholds is not None:
            overrides = None
            if isinstance(thresholds, Mapping):
                overrides = check_account_thresholds(f"{prefix}.thresholds", thresholds, out, base)
            else:
                message = f"must be a table ([accounts.thresholds]), got {describe(thresholds)}"
                out.add(f"{prefix}.thresholds", message)
            if overrides is None:
                entry_ok = False
            else:
                values["thresholds"], values["window_thresholds"] = overrides
        if entry_ok:
            accounts.append(AccountConfig(**values))
        ok = ok and entry_ok
    return tuple(accounts) if ok else None


def _top_level_hint(name: str, value: object) -> str:
    if not isinstance(value, Mapping):
        for section, cls in SECTION_TYPES.items():
            if name in [item.name for item, _ in keys_of(cls)]:
                return f" (did you mean {name} under [{section}]?)"
        if name in THRESHOLD_KEYS:
            return f" (did you mean {name} under [thresholds]?)"
        if name in [item.name for item, _ in keys_of(AccountConfig)]:
            return f" (did you mean {name} under [[accounts]]?)"
    return did_you_mean(name, TOP_LEVEL, template="[{}]")


def build_config(data: Mapping[str, object], path: Path | None, text: str | None) -> Config:
    out = Collector(path, text)
    kwargs: dict[str, Any] = {}
    failed = False
    thresholds: tuple[Thresholds, dict[str, Thresholds]] | None = (Thresholds(), {})
    for name, raw in data.items():
        if name not in TOP_LEVEL:
            kind = "unknown section" if isinstance(raw, Mapping) else "unknown key"
            out.add(name, kind + _top_level_hint(name, raw))
            failed = True
        elif name == "accounts":
            continue  # checked last: its thresholds build on [thresholds]
        elif not isinstance(raw, Mapping):
            out.add(name, f"must be a table ([{name}]), got {describe(raw)}")
            failed = True
        elif name == "thresholds":
            thresholds = check_thresholds(raw, out)
            if thresholds is None:
                failed = True
            else:
                kwargs["thresholds"], kwargs["window_thresholds"] = thresholds
        else:
            values, ok = check_keys(name, SECTION_TYPES[name], raw, out)
            if ok:
                kwargs[name] = SECTION_TYPES[name](**values)
            failed = failed or not ok
    if "accounts" in data:
        accounts = _check_accounts(data["accounts"], out, thresholds)
        if accounts is None:
            failed = True
        else:
            kwargs["accounts"] = accounts
    if failed or out.problems:
        raise ConfigError(sorted(out.problems, key=_file_order))
    return Config(path=path, **kwargs)


def _file_order(problem: Problem) -> int:
    """Problems with a line in file order; the others (no line known) keep their place last."""
    return problem.line if problem.line is not None else 1 << 62


def config_from_mapping(data: Mapping[str, Any], path: Path | None = None) -> Config:
    """Validates a parsed TOML mapping; raises ``ConfigError`` listing every problem."""
    if not isinstance(data, Mapping):
        raise ConfigError([Problem(path, "", "the config must be a table")])
    return build_config(data, path, None)
