"""``limitwatch export``: a headless agent feeding Prometheus and/or an OpenTelemetry collector.

It runs the live view's monitors, one per account (same shared usage cache and polling policies,
so it never adds a usage call), sleeps until the next wakeup, polls, and hands each account's
snapshot to the ``Exporter``. Ctrl-C or SIGTERM stops it cleanly, with a final OTLP push.
No Textual; prometheus-client and OpenTelemetry are loaded only here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from tui.cli.common import load_config_or_say
from tui.clock import Clock, SystemClock

if TYPE_CHECKING:
    import argparse

    from tui.config import Config
    from tui.core.fleet import AccountPlan, Fleet
    from tui.export import Exporter

EXIT_USAGE = 2
MIN_SLEEP_S = 1.0  # a wakeup already past never turns the loop into a busy loop
MAX_SLEEP_S = 300.0
_PREFIX = "limitwatch export"


def outputs(args: argparse.Namespace, config: Config) -> tuple[str | None, bool]:
    """(Prometheus HOST:PORT or None, OTLP on?). Flags decide when given; with none, the
    ``[export]`` section does (by default: Prometheus on 127.0.0.1:9464, no OTLP).
    ``--prometheus`` without a value takes the configured address, else the default one."""
    configured = config.export.prometheus if isinstance(config.export.prometheus, str) else ""
    prometheus: str | None = getattr(args, "prometheus", None)
    otlp = bool(getattr(args, "otlp", False))
    if prometheus is None and not otlp:
        return (None if config.export.prometheus is False else configured), config.export.otlp
    if prometheus == "":
        prometheus = configured
    return prometheus, otlp


def run(args: argparse.Namespace, *, err: TextIO | None = None) -> int:
    from tui.config import UnknownAccount
    from tui.core.fleet import account_plans, select
    from tui.export import INSTALL_HINT, Exporter, ExportError
    from tui.export.exporter import missing_packages
    from tui.sources.http import InsecureBaseURL

    err = err or sys.stderr
    config = load_config_or_say(args, err)
    if config is None:
        return EXIT_USAGE
    try:
        plans = select(account_plans(config), getattr(args, "account", None))
    except UnknownAccount as exc:
        print(f"limitwatch: {exc}", file=err)
        return EXIT_USAGE
    prometheus, otlp = outputs(args, config)
    if prometheus is None and not otlp:
        where = f" in {config.path}" if config.path is not None else ""
        print(
            f"limitwatch: nothing to export: [export]{where} turns Prometheus and OTLP off; "
            "pass --prometheus or --otlp",
            file=err,
        )
        return EXIT_USAGE
    missing = missing_packages(prometheus=prometheus is not None, otlp=otlp)
    if missing:
        print(f"limitwatch: export needs {' and '.join(missing)}: {INSTALL_HINT}", file=err)
        return EXIT_USAGE
    clock = SystemClock()
    try:
        fleet = build_fleet(plans, clock)
    except InsecureBaseURL as exc:
        print(f"limitwatch: {exc}", file=err)
        return EXIT_USAGE
    try:
        exporter = Exporter.start(prometheus, otlp)
    except ExportError as exc:
        print(f"limitwatch: {exc}", file=err)
        with contextlib.suppress(Exception):
            asyncio.run(fleet.aclose())
        return EXIT_USAGE
    _route_sdk_logs(err)
    for note in exporter.notes:
        print(f"{_PREFIX}: {note}", file=err, flush=True)
    names = ", ".join(member.name for member in fleet.members)
    print(f"{_PREFIX}: watching {names}", file=err, flush=True)
    try:
        asyncio.run(_main(fleet, exporter, clock))
    finally:
        if exporter.otlp is not None:
            print(f"{_PREFIX}: stopping: a final OTLP push first", file=err, flush=True)
        exporter.close()
    print(f"{_PREFIX}: stopped", file=err, flush=True)
    return 0


def build_fleet(plans: Sequence[AccountPlan], clock: Clock) -> Fleet:
    """The live view's monitors without notifications: the same shared usage cache and
    policies, transcripts followed (free; they give the token counts and the last error),
    the probe and admin reports as configured."""
    from tui.core import fleet
    from tui.sources.http import resolve_base_url

    base_url, _origin = resolve_base_url(plans[0].config)
    # A background agent does not ring or pop up.
    return fleet.build_fleet(plans, clock=clock, base_url=base_url, notify=False)


async def _main(fleet: Fleet, exporter: Exporter, clock: Clock) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await serve(fleet, exporter, clock, stop)
    finally:
        await fleet.aclose()


async def serve(monitor: Any, exporter: Any, clock: Clock, stop: asyncio.Event) -> None:
    """Poll when the monitor is due, hand each snapshot to the exporter, until ``stop``."""
    while not stop.is_set():
        try:
            snapshot = await monitor.poll()
        except Exception as exc:  # the monitor never raises; if it does, keep exporting
            print(f"{_PREFIX}: poll failed: {type(exc).__name__}", file=sys.stderr)
        else:
            exporter.update_all(snapshot)
        delay = sleep_seconds(monitor.next_wakeup(), clock)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)


def sleep_seconds(wakeup: Any, clock: Clock) -> float:
    """Seconds until ``wakeup``, kept within [MIN_SLEEP_S, MAX_SLEEP_S]."""
    if wakeup is None:
        return MAX_SLEEP_S
    seconds = float((wakeup - clock.now()).total_seconds())
    return max(MIN_SLEEP_S, min(MAX_SLEEP_S, seconds))


def _route_sdk_logs(err: TextIO) -> None:
    """The OpenTelemetry SDK reports failed pushes through ``logging``: one short line each."""
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter(f"{_PREFIX}: %(message)s"))
    logger = logging.getLogger("opentelemetry")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
