"""``limitwatch simulate``: the simulator on its own, until Ctrl-C.

Prints the base URL and the environment lines for the simulator's three fake credentials,
then one line per request (method, path, which auth, status; never a secret).
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from tui.simulator.endpoints import SIM_ADMIN_KEY, SIM_API_KEY, SIM_OAUTH_TOKEN
from tui.simulator.scenario import ScenarioError, builtin_scenario_names, load_scenario
from tui.simulator.server import Simulator
from tui.simulator.wire import RecordedRequest, is_loopback

EXIT_USAGE = 2
MAX_SPEED = 100_000.0


def _list(out: TextIO) -> int:
    names = builtin_scenario_names()
    width = max(len(n) for n in names)
    for name in names:
        try:
            description = load_scenario(name).description
        except ScenarioError as exc:  # a broken built-in is a bug; still list the rest
            description = f"(invalid: {exc})"
        print(f"{name:<{width}}  {description}", file=out)
    return 0


def _printer(out: TextIO) -> Callable[[RecordedRequest], None]:
    def show(rec: RecordedRequest) -> None:
        status = "no answer" if rec.status == 0 else str(rec.status)
        fault = f"  fault={rec.fault}" if rec.fault else ""
        target = rec.path + (f"?{rec.query}" if rec.query else "")
        print(
            f"{rec.at:%H:%M:%S}  {rec.method:<4} {target}  auth={rec.auth}  {status}{fault}",
            file=out,
            flush=True,
        )

    return show


def run(args: argparse.Namespace, *, ready: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until ``ready``'s owner sets ``args.stop``, for tests)."""
    out, err = sys.stdout, sys.stderr
    if getattr(args, "list", False):
        return _list(out)
    host = getattr(args, "host", "127.0.0.1") or "127.0.0.1"
    if not is_loopback(host):
        print(
            f"limitwatch simulate: --host {host} is not a loopback address; "
            "the simulator only listens on this machine (use 127.0.0.1 or ::1)",
            file=err,
        )
        return EXIT_USAGE
    raw_speed = getattr(args, "speed", None)
    speed = 1.0 if raw_speed is None else float(raw_speed)
    if speed <= 0:
        print(f"limitwatch simulate: --speed must be positive, got {speed:g}", file=err)
        return EXIT_USAGE
    if not math.isfinite(speed) or speed > MAX_SPEED:
        print(
            f"limitwatch simulate: --speed must be at most {MAX_SPEED:g}, got {speed:g}", file=err
        )
        return EXIT_USAGE
    port = int(getattr(args, "port", 0) or 0)
    if not 0 <= port <= 65535:
        print(
            f"limitwatch simulate: --port must be 0-65535 (0: any free one), got {port}", file=err
        )
        return EXIT_USAGE
    try:
        scenario = load_scenario(getattr(args, "scenario", "healthy") or "healthy")
    except ScenarioError as exc:
        print(f"limitwatch simulate: bad scenario\n{exc}", file=err)
        return EXIT_USAGE
    show = _printer(out)
    sim = Simulator(
        scenario,
        speed=speed,
        host=host,
        port=port,
        on_request=show,
    )
    try:
        sim.start()
    except (OSError, OverflowError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        print(f"limitwatch simulate: cannot listen on {host}:{sim.port}: {reason}", file=err)
        return 1
    clock = f" (clock x{speed:g})" if speed != 1 else ""
    # Each line is flushed: `limitwatch simulate | tee log` shows the banner at once.
    print(
        f"limitwatch simulator: scenario {scenario.name!r}{clock} at {sim.base_url}",
        file=out,
        flush=True,
    )
    print("Use these (fake) credentials against it:", file=out)
    print(f"ANTHROPIC_BASE_URL={sim.base_url}", file=out, flush=True)
    print(f"ANTHROPIC_API_KEY={SIM_API_KEY}", file=out, flush=True)
    print(f"ANTHROPIC_ADMIN_KEY={SIM_ADMIN_KEY}", file=out, flush=True)
    print(f"CLAUDE_CODE_OAUTH_TOKEN={SIM_OAUTH_TOKEN}", file=out, flush=True)
    print(
        "# the OAuth token also works as claudeAiOauth.accessToken in "
        "$CLAUDE_CONFIG_DIR/.credentials.json (usage and profile need it there)",
        file=out,
    )
    print("Press Ctrl-C to stop.", file=out, flush=True)
    stop = getattr(args, "stop", None)
    waiter = stop if isinstance(stop, threading.Event) else threading.Event()
    if ready is not None:
        ready.set()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("", file=out)
    finally:
        sim.stop()
    return 0
