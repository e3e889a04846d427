"""The operator assets parse, and every metric they name is one the exporter serves."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.export_helpers import full_snapshot, scrape
from tui.export import Exporter

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DASHBOARD = ASSETS / "grafana" / "limitwatch-dashboard.json"
RULES = ASSETS / "prometheus" / "limitwatch-alerts.yml"
UNIT = ASSETS / "systemd" / "limitwatch-export.service"
METRIC_NAME = re.compile(r"\blimitwatch_[a-z_]+\b")


@pytest.fixture(scope="module")
def served_names() -> set[str]:
    """Every sample name a scrape of a snapshot with every metric filled shows."""
    exporter = Exporter.start(prometheus="127.0.0.1:0", otlp=False)
    try:
        exporter.update([("default", full_snapshot())])
        assert exporter.prometheus is not None
        text = scrape(exporter.prometheus.url)
    finally:
        exporter.close()
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


# -- a strict reader for the YAML the rules file is written in ---------------------------------


def parse_yaml_subset(text: str) -> object:
    """Block mappings and sequences, ``#`` comments, double-quoted (JSON-escaped) or plain-word
    scalars; anything else is an error, so the file stays readable by any YAML parser."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if "\t" in raw:
            raise ValueError(f"line {number}: tab")
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            lines.append((len(raw) - len(raw.lstrip(" ")), stripped))
    value, end = _block(lines, 0, lines[0][0])
    if end != len(lines):
        raise ValueError(f"unexpected {lines[end][1]!r}")
    return value


def _block(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[object, int]:
    if lines[i][1].startswith("- "):
        items: list[object] = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            lines[i] = (indent + 2, lines[i][1][2:].lstrip())
            item, i = _block(lines, i, indent + 2)
            items.append(item)
        return items, i
    mapping: dict[str, object] = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
        key, colon, rest = lines[i][1].partition(":")
        if not colon or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) or key in mapping:
            raise ValueError(f"bad or repeated key in {lines[i][1]!r}")
        rest, i = rest.strip(), i + 1
        if rest:
            mapping[key] = _scalar(rest)
        elif i < len(lines) and lines[i][0] > indent:
            mapping[key], i = _block(lines, i, lines[i][0])
        else:
            raise ValueError(f"{key}: no value")
    if i < len(lines) and lines[i][0] > indent:
        raise ValueError(f"bad indentation at {lines[i][1]!r}")
    return mapping, i


def _scalar(text: str) -> str:
    if text.startswith('"'):
        value = json.loads(text)
        if not isinstance(value, str):
            raise ValueError(text)
        return value
    if re.fullmatch(r"[A-Za-z0-9_.-]+", text):
        return text
    raise ValueError(f"quote this scalar: {text!r}")


def test_the_yaml_reader_is_strict() -> None:
    assert parse_yaml_subset('a:\n  - b: "x: {{ y }}"\n    c: d\n') == {
        "a": [{"b": "x: {{ y }}", "c": "d"}]
    }
    for bad in ("a: {b: c}\n", "a:\n  b: c\n   d: e\n", "a: x\na: y\n", "a:\n"):
        with pytest.raises(ValueError):
            parse_yaml_subset(bad)


# -- the alerting rules ------------------------------------------------------------------------


def _rules() -> list[dict[str, object]]:
    data = parse_yaml_subset(RULES.read_text())
    assert isinstance(data, dict) and list(data) == ["groups"]
    rules: list[dict[str, object]] = []
    for group in data["groups"]:  # type: ignore[union-attr]
        assert set(group) == {"name", "rules"}
        rules.extend(group["rules"])
    return rules


def test_alerting_rules_are_well_formed() -> None:
    rules = _rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", str(rule["alert"]))
        assert re.fullmatch(r"\d+[smhd]", str(rule["for"]))
        assert rule["labels"]["severity"] in ("info", "warning", "critical")  # type: ignore[index]
        assert rule["annotations"]["summary"]  # type: ignore[index]
        expr = str(rule["expr"])
        assert expr.count("(") == expr.count(")"), expr


def test_alerting_rules_cover_each_level_and_the_projection() -> None:
    exprs = {str(rule["expr"]).replace(" ", "") for rule in _rules()}
    for level in (1, 2, 3):  # warning, critical, exhausted
        assert f"limitwatch_window_level=={level}" in exprs
    assert any(
        "limitwatch_window_projected_full_at_seconds<" in e
        and "limitwatch_window_resets_at_seconds" in e
        for e in exprs
    )


def test_every_metric_the_rules_name_is_served(served_names) -> None:
    named = {m for rule in _rules() for m in METRIC_NAME.findall(str(rule["expr"]))}
    assert named
    assert named <= served_names, named - served_names


# -- the Grafana dashboard ---------------------------------------------------------------------


def _dashboard() -> dict[str, object]:
    data = json.loads(DASHBOARD.read_text())
    assert isinstance(data, dict)
    return data


def _exprs(dashboard: dict[str, object]) -> list[str]:
    found = []
    for panel in dashboard["panels"]:  # type: ignore[attr-defined]
        for target in panel.get("targets", ()):
            found.append(target["expr"])
    for variable in dashboard["templating"]["list"]:  # type: ignore[index]
        query = variable.get("query")
        if isinstance(query, dict):
            found.append(query["query"])
    return found


def test_dashboard_has_a_panel_per_window_per_account_and_the_rest() -> None:
    dashboard = _dashboard()
    panels = dashboard["panels"]
    assert isinstance(panels, list)
    assert len({p["id"] for p in panels}) == len(panels)
    rows = [p for p in panels if p["type"] == "row"]
    assert [r.get("repeat") for r in rows] == ["account"]
    per_window = [p for p in panels if p.get("repeat") == "window"]
    assert per_window and "limitwatch_window_used_ratio" in per_window[0]["targets"][0]["expr"]
    variables = {v["name"] for v in dashboard["templating"]["list"]}  # type: ignore[index]
    assert {"datasource", "account", "window"} <= variables
    text = json.dumps(panels)
    for topic in ("extra_usage", "rate_limit", "last_error", "source_up", "transcript_tokens"):
        assert f"limitwatch_{topic}" in text, topic
    for panel in panels:
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24


def test_every_metric_the_dashboard_names_is_served(served_names) -> None:
    named = {m for expr in _exprs(_dashboard()) for m in METRIC_NAME.findall(expr)}
    assert named
    assert named <= served_names, named - served_names


# -- the systemd unit --------------------------------------------------------------------------


def test_systemd_unit_runs_the_exporter_on_loopback() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(UNIT.read_text())
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert argv[0].endswith("/limitwatch") and argv[1] == "export"
    from tui.cli.parser import build_parser

    args = build_parser().parse_args(argv[1:])
    from tui.export.prometheus import parse_listen

    assert parse_listen(args.prometheus).loopback
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    assert unit["Service"]["RestartPreventExitStatus"] == "2"
    assert unit["Install"]["WantedBy"] == "default.target"
