"""Transcript scan benchmark: first-scan rate and incremental-scan time on a generated tree.

    python -m bench.transcripts --mb 1000

``generate_tree`` writes files shaped like Claude Code's transcripts (user rows with tool
results, assistant rows streamed over several lines sharing message id + request id, some
``<synthetic>`` rows, some API error rows); ``measure`` scans it once, appends 10 KB to one
file and scans again. The incremental scan must read only the appended bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tui.clock import SystemClock
from tui.sources.transcripts.source import TranscriptSource

END = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=3)
MODELS = ("claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001")
ERROR_TEXTS = (
    "You've hit your session limit · resets 12:50am (America/Los_Angeles)",
    'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":'
    '"You\'re out of extra usage. Add more at claude.ai/settings/usage and keep going."},'
    '"request_id":"req_011CUxyz"}',
    'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    "Claude AI usage limit reached|1755615600",
)


# Key orders: Claude Code's ("type" before "message"), and "type" after "message" (valid JSON
# too; a future Claude Code may write it): the scan's speed must not depend on it.
LAYOUTS = ("claude_code", "type_after_message")


def _compact(row: dict[str, Any], layout: str = "claude_code") -> str:
    """One row as Claude Code writes it: compact JSON (JSON.stringify has no spaces)."""
    if layout == "type_after_message" and "type" in row and "message" in row:
        row = dict(row)
        kind = row.pop("type")
        row = {k: v for pair in row.items() for k, v in _after_message(pair, kind)}
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def _after_message(pair: tuple[str, Any], kind: Any) -> list[tuple[str, Any]]:
    return [pair, ("type", kind)] if pair[0] == "message" else [pair]


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _pad_text(rng: random.Random, size: int) -> str:
    words = ["def", "return", "self", "import", "value", "line", "\n", "\t", '"quoted"', "usage"]
    out: list[str] = []
    n = 0
    while n < size:
        w = rng.choice(words)
        out.append(w)
        n += len(w) + 1
    return " ".join(out)


class _Writer:
    """Builds rows of one session; keeps the expected token totals."""

    def __init__(
        self,
        rng: random.Random,
        pads: list[str],
        totals: dict[str, list[int]],
        layout: str = "claude_code",
    ) -> None:
        self.layout = layout
        self.rng = rng
        self.pads = pads
        self.totals = totals
        self.counts = {"usage_rows": 0, "unique_messages": 0, "error_rows": 0, "synthetic": 0}
        self.n = 0

    def session(self, sid: str, start: datetime, target: int) -> list[str]:
        rng = self.rng
        rows: list[str] = []
        size = 0
        when = start
        base = {
            "parentUuid": None,
            "isSidechain": False,
            "userType": "external",
            "cwd": "/home/user/project",
            "sessionId": sid,
            "version": "2.1.3",
            "gitBranch": "main",
        }
        while size < target:
            when += timedelta(seconds=rng.randint(2, 90))
            if when > END:
                when = END - timedelta(seconds=rng.randint(1, 3600))
            self.n += 1
            pad = rng.choice(self.pads)
            user: dict[str, Any] = dict(base)
            user.update(
                type="user",
                message={
                    "role": "user",
                    "content": [
                        {"tool_use_id": f"toolu_{self.n}", "type": "tool_result", "content": pad}
                    ],
                },
                uuid=f"u-{self.n}",
                timestamp=_stamp(when),
            )
            if rng.random() < 0.03:  # a Task tool result carries its own usage object
                user["toolUseResult"] = {"totalTokens": 1234, "usage": {"input_tokens": 9}}
            rows.append(_compact(user, self.layout))
            roll = rng.random()
            if roll < 0.01:
                rows.append(self._error(base, when))
            elif roll < 0.02:
                rows.append(self._synthetic(base, when))
            else:
                rows.extend(self._assistant(base, when))
            size += sum(len(r) + 1 for r in rows[-3:])
        return rows

    def _assistant(self, base: dict[str, Any], when: datetime) -> list[str]:
        rng = self.rng
        model = rng.choice(MODELS)
        usage = {
            "input_tokens": rng.randint(1, 50),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": rng.randint(0, 80000),
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "output_tokens": rng.randint(1, 2000),
            "service_tier": "standard",
        }
        # Claude Code keeps the total and its breakdown consistent (ccusage reads the breakdown).
        written = rng.randint(0, 5000)
        usage["cache_creation_input_tokens"] = written
        usage["cache_creation"] = {
            "ephemeral_5m_input_tokens": written,
            "ephemeral_1h_input_tokens": 0,
        }
        acc = self.totals.setdefault(model, [0, 0, 0, 0])
        acc[0] += usage["input_tokens"]
        acc[1] += usage["output_tokens"]
        acc[2] += usage["cache_creation_input_tokens"]
        acc[3] += usage["cache_read_input_tokens"]
        self.counts["unique_messages"] += 1
        rows = []
        for part in range(rng.randint(1, 3)):  # streamed: same message id + request id
            row = dict(base)
            row.update(
                message={
                    "id": f"msg_{self.n:012d}",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [{"type": "text", "text": rng.choice(self.pads)[:400]}],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": usage,
                },
                requestId=f"req_{self.n:012d}",
                type="assistant",
                uuid=f"a-{self.n}-{part}",
                timestamp=_stamp(when + timedelta(milliseconds=200 * part)),
            )
            rows.append(_compact(row, self.layout))
            self.counts["usage_rows"] += 1
        return rows

    def _synthetic(self, base: dict[str, Any], when: datetime) -> str:
        self.counts["synthetic"] += 1
        row = dict(base)
        row.update(
            type="assistant",
            message={
                "id": f"syn-{self.n}",
                "model": "<synthetic>",
                "role": "assistant",
                "content": [{"type": "text", "text": "No response requested."}],
                "usage": {"input_tokens": 0, "output_tokens": 0},
            },
            timestamp=_stamp(when),
        )
        return _compact(row, self.layout)

    def _error(self, base: dict[str, Any], when: datetime) -> str:
        self.counts["error_rows"] += 1
        row = dict(base)
        row.update(
            type="assistant",
            isApiErrorMessage=True,
            error="rate_limit",
            apiErrorStatus=429,
            message={
                "id": f"err-{self.n}",
                "model": "<synthetic>",
                "role": "assistant",
                "content": [{"type": "text", "text": self.rng.choice(ERROR_TEXTS)}],
                "usage": {"input_tokens": 0, "output_tokens": 0},
            },
            timestamp=_stamp(when),
        )
        return _compact(row, self.layout)


def generate_tree(
    root: Path, total_mb: float, seed: int = 0, layout: str = "claude_code"
) -> dict[str, Any]:
    """Write about ``total_mb`` MB of transcripts under ``root`` (a ``projects`` folder), its
    rows' keys in the order ``layout`` names (one of ``LAYOUTS``).

    Returns files, bytes, usage/error/synthetic row counts and the expected token totals per
    model (after de-duplication): ``{"tokens": {model: [input, output, cc, cr]}, ...}``.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    pads = [_pad_text(rng, size) for size in (200, 800, 2000, 6000, 20000, 60000)]
    totals: dict[str, list[int]] = {}
    writer = _Writer(rng, pads, totals, layout)
    budget = int(total_mb * 1024 * 1024)
    written = 0
    files = 0
    while written < budget:
        remaining = budget - written
        if total_mb >= 200 and rng.random() < 0.04:
            target = rng.randint(10, 40) * 1024 * 1024
        else:
            target = rng.randint(50 * 1024, 1024 * 1024)
        target = max(1024, min(target, remaining))
        project = root / f"-home-user-project{files % 12}"
        project.mkdir(exist_ok=True)
        sid = f"{seed:04d}{files:08d}-0000-4000-8000-000000000000"
        start = END - SPAN + timedelta(seconds=rng.randint(0, int(SPAN.total_seconds()) - 7200))
        rows = writer.session(sid, start, target)
        data = ("\n".join(rows) + "\n").encode()
        (project / f"{sid}.jsonl").write_bytes(data)
        written += len(data)
        files += 1
    return {
        "files": files,
        "bytes": written,
        "tokens": {m: list(v) for m, v in totals.items()},
        **writer.counts,
    }


def _scanned_tokens(source: TranscriptSource) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for block in source.blocks():
        for model, i, o, cc, cr in block.tokens_by_model:
            acc = out.setdefault(model, [0, 0, 0, 0])
            for k, v in enumerate((i, o, cc, cr)):
                acc[k] += v
    return out


def _cpu(resource: Any) -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def measure(root: Path) -> dict[str, Any]:
    """First scan, then a 10 KB append to one file and an incremental scan."""
    import resource

    source = TranscriptSource([root], clock=SystemClock(), keep_hours=24 * 365 * 30)
    cpu_before = _cpu(resource)
    first = source.scan()
    scan_cpu = _cpu(resource) - cpu_before  # this process and its helpers (waited for)
    mb = first.bytes_read / (1024 * 1024)
    files = sorted(root.rglob("*.jsonl"))
    rng = random.Random(1)
    writer = _Writer(rng, [_pad_text(rng, 500)], {})
    rows = writer.session("bench-append", END - timedelta(hours=1), 10 * 1024)
    append = ("\n".join(rows) + "\n").encode()
    with open(files[len(files) // 2], "ab") as handle:
        handle.write(append)
    started = time.perf_counter()
    second = source.scan()
    incremental = time.perf_counter() - started
    tokens = _scanned_tokens(source)
    return {
        "files": first.files_seen,
        "first_scan_s": round(first.duration_s, 3),
        "first_scan_cpu_s": round(scan_cpu, 3),
        "first_scan_mb": round(mb, 1),
        "processes": first.processes,
        "mb_per_s": round(mb / first.duration_s, 1) if first.duration_s > 0 else None,
        "incremental_s": round(incremental, 4),
        "incremental_bytes_read": second.bytes_read,
        "appended_bytes": len(append),
        "errors_found": len(first.new_errors),
        "malformed_lines": first.malformed_lines,
        "total_tokens": sum(sum(v) for v in tokens.values()),
        "tokens_by_model": tokens,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transcripts")
    parser.add_argument("--mb", type=float, default=200.0, help="size of the generated tree")
    parser.add_argument("--dir", type=Path, default=None, help="where to generate (kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layout", choices=LAYOUTS, default=LAYOUTS[0], help="rows' key order")
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lw-bench-") as tmp:
        root = args.dir or Path(tmp) / "projects"
        started = time.perf_counter()
        info = generate_tree(root, args.mb, args.seed, args.layout)
        print(
            f"generated {info['bytes'] / 1048576:.0f} MB in {info['files']} files "
            f"({time.perf_counter() - started:.1f} s)"
        )
        result = measure(root)
        print(
            f"first scan: {result['first_scan_mb']} MB in {result['first_scan_s']} s "
            f"= {result['mb_per_s']} MB/s (read by {result['processes']} of this machine's "
            "processes)"
        )
        print(
            f"incremental scan after a {result['appended_bytes']} B append: "
            f"{result['incremental_s'] * 1000:.1f} ms, {result['incremental_bytes_read']} B read"
        )
        print(f"tokens: {result['total_tokens']:,} in {len(result['tokens_by_model'])} models")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
