"""``limitwatch export``: a headless agent feeding Prometheus and/or an OpenTelemetry collector.

It runs the same monitor as the live view (same shared usage cache and polling policies, so it
never adds a usage call), sleeps until the monitor's next wakeup, polls, and hands the snapshot
to the ``Exporter``. Ctrl-C or SIGTERM stops it cleanly, with a final OTLP push. No Textual,
and prometheus-client / OpenTelemetry are loaded only here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING, Any, TextIO

from tui.clock import Clock, SystemClock

if TYPE_CHECKING:
    from tui.config import Config
    from tui.core.monitor import Monitor
    from tui.export import Exporter

EXIT_USAGE = 2
DEFAULT_ACCOUNT = "default"
MIN_SLEEP_S = 1.0  # a wakeup already past never turns the loop into a busy loop
MAX_SLEEP_S = 300.0
_PREFIX = "limitwatch export"


def account_names(config: Config) -> tuple[str, ...]:
    """The accounts limitwatch watches; for now the default folder only."""
    return (DEFAULT_ACCOUNT,)


def run(args: argparse.Namespace, *, err: TextIO | None = None) -> int:
    from tui.config import ConfigError, load_config
    from tui.export import INSTALL_HINT, Exporter, ExportError
    from tui.export.exporter import missing_packages
    from tui.sources.http import InsecureBaseURL

    err = err or sys.stderr
    try:
        config = load_config(explicit=getattr(args, "config", None))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"limitwatch: {problem}", file=err)
        return EXIT_USAGE
    names = account_names(config)
    account = getattr(args, "account", None) or names[0]
    if account not in names:
        print(f"limitwatch: no account named {account!r}; accounts: {', '.join(names)}", file=err)
        return EXIT_USAGE
    prometheus: str | None = getattr(args, "prometheus", None)
    otlp = bool(getattr(args, "otlp", False))
    if prometheus is None and not otlp:
        prometheus = ""  # no flag at all: Prometheus on the default address
    missing = missing_packages(prometheus=prometheus is not None, otlp=otlp)
    if missing:
        print(f"limitwatch: export needs {' and '.join(missing)}: {INSTALL_HINT}", file=err)
        return EXIT_USAGE
    clock = SystemClock()
    try:
        monitor = build_monitor(config, clock)
    except InsecureBaseURL as exc:
        print(f"limitwatch: {exc}", file=err)
        return EXIT_USAGE
    try:
        exporter = Exporter.start(prometheus, otlp)
    except ExportError as exc:
        print(f"limitwatch: {exc}", file=err)
        _close_monitor(monitor)
        return EXIT_USAGE
    _route_sdk_logs(err)
    for note in exporter.notes:
        print(f"{_PREFIX}: {note}", file=err, flush=True)
    try:
        asyncio.run(_main(monitor, exporter, clock, account))
    finally:
        if exporter.otlp is not None:
            print(f"{_PREFIX}: stopping: a final OTLP push first", file=err, flush=True)
        exporter.close()
    print(f"{_PREFIX}: stopped", file=err, flush=True)
    return 0


def build_monitor(config: Config, clock: Clock) -> Monitor:
    """The live view's monitor without its notifications: same shared usage cache and
    policies, transcripts followed (free; they give the token counts and the last error),
    probe and admin reports as configured."""
    from tui.core.monitor import Monitor
    from tui.sources.credentials import CredentialStore
    from tui.sources.http import resolve_base_url

    base_url, _origin = resolve_base_url(config)
    credentials = CredentialStore(config, clock=clock)
    return Monitor.create(
        config, clock=clock, credentials=credentials, base_url=base_url, notify=False
    )


def _close_monitor(monitor: Monitor) -> None:
    with contextlib.suppress(Exception):
        asyncio.run(monitor.aclose())


async def _main(monitor: Monitor, exporter: Exporter, clock: Clock, account: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await serve(monitor, exporter, clock, account, stop)
    finally:
        await monitor.aclose()


async def serve(
    monitor: Any, exporter: Any, clock: Clock, account: str, stop: asyncio.Event
) -> None:
    """Poll when the monitor is due, hand each snapshot to the exporter, until ``stop``."""
    while not stop.is_set():
        try:
            snapshot = await monitor.poll()
        except Exception as exc:  # the monitor never raises; if it does, keep exporting
            print(f"{_PREFIX}: poll failed: {type(exc).__name__}", file=sys.stderr)
        else:
            exporter.update([(account, snapshot)])
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
