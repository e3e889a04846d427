"""The estimate fed by real transcript files: what Claude Code writes, read by the transcripts
source, summed by ``token_totals``, is what the estimator learns from."""

from __future__ import annotations

from datetime import datetime

from tests.test_transcripts import usage_row, write
from tui.clock import ManualClock
from tui.core.estimate import Estimator, token_totals
from tui.simulator.weighted_usage import weighted_usage
from tui.sources.transcripts.source import TranscriptSource


def test_from_transcript_files_the_estimate_is_within_3_points_half_way_after_12_polls(
    isolated_paths,
):
    world = weighted_usage(2)
    projects = isolated_paths.claude / "projects"
    path = projects / "-home-me-project" / "session.jsonl"
    write(path)  # Claude Code opened the session
    clock = ManualClock(world.readings[0].at)
    source = TranscriptSource([projects], clock=clock)
    sent = 0

    def transcripts_until(moment: datetime) -> dict[tuple[str, str], int]:
        """Claude Code logs every response up to ``moment``; limitwatch scans and sums."""
        nonlocal sent
        rows = []
        while sent < len(world.requests) and world.requests[sent].at <= moment:
            request = world.requests[sent]
            t = request.tokens
            rows.append(
                usage_row(
                    request.at,
                    f"msg_{sent:05d}",
                    model=request.model,
                    inp=t["input"],
                    out=t["output"],
                    cc=t["cache_creation"],
                    cr=t["cache_read"],
                )
            )
            sent += 1
        if rows:
            write(path, *rows, mode="a")
        clock.set(moment)
        source.scan()
        return token_totals(source.blocks())

    estimator = Estimator()
    errors = []
    for index, reading in enumerate(world.readings):
        totals = transcripts_until(reading.at)
        # Every token the world sent is counted once, by model and kind.
        assert {k: n for k, n in totals.items() if n} == {
            k: n for k, n in reading.totals.items() if n
        }
        estimator.observe("five_hour", reading.used_percent, reading.resets_at, reading.at, totals)
        if index + 1 >= 12 and index < len(world.midpoints):
            mid = world.midpoints[index]
            got = estimator.estimate("five_hour", mid.at, transcripts_until(mid.at))
            assert got is not None
            errors.append(got.used_percent - mid.true_percent)
    assert len(errors) == 8
    assert max(abs(e) for e in errors) <= 3.0
    assert estimator.running_error("five_hour") is not None
