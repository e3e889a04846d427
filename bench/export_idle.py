"""``limitwatch export`` at rest with Prometheus and OTLP both on, and the scrape of /metrics.

The agent runs as users run it (``limitwatch export --prometheus 127.0.0.1:PORT --otlp``)
against the simulator, pushing OTLP/HTTP to a loopback receiver started here (a bare
``http.server`` that answers 200 with an empty body, an empty protobuf answer, and counts the
pushes). It takes its turn in the idle section beside the floor and the live view: started,
waited for until it says it is watching and serves /metrics, settled, then watched for the
same seconds (CPU as % of one core, RSS at the end). Then /metrics is scraped as Prometheus
does, one connection per scrape, and the same bytes are fetched as a static file from a bare
``python -m http.server`` for the cost of HTTP itself.
"""

from __future__ import annotations

import contextlib
import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.pty_run import PtyProcess
from bench.sandbox import World

MARKER = "watching"  # "limitwatch export: watching NAME", once it serves and polls
SCRAPE_TARGET_S = 0.050
READY_TIMEOUT = 60.0


class OtlpReceiver:
    """A loopback OTLP/HTTP endpoint that counts pushes; use as a context manager."""

    def __init__(self) -> None:
        self.posts = 0
        self.bytes = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.posts += 1
                receiver.bytes += len(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> OtlpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def export_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "tui", "export", "--prometheus", f"127.0.0.1:{port}", "--otlp"]


def export_env(world: World, receiver: OtlpReceiver, *, smoke: bool) -> dict[str, str]:
    env = {**world.env, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}
    if smoke:  # a push within the few seconds smoke watches (the default is one a minute)
        env["OTEL_METRIC_EXPORT_INTERVAL"] = "1000"
    return env


def get(port: int, path: str) -> tuple[float, bytes]:
    """One scrape on a fresh connection: (seconds, body)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET {path} answered {answer.status}")
    finally:
        conn.close()
    return time.perf_counter() - started, body


def wait_for_metrics(port: int, proc: PtyProcess, timeout: float = READY_TIMEOUT) -> None:
    """Until /metrics holds limitwatch's own families (the first poll has been exported)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.alive():
        with contextlib.suppress(OSError, RuntimeError, http.client.HTTPException):
            if b"limitwatch_" in get(port, "/metrics")[1]:
                return
        time.sleep(0.1)
    raise RuntimeError(f"export: /metrics never held limitwatch's metrics: {proc.text()[-300:]}")


def scrape_figures(port: int, scrapes: int) -> dict[str, float]:
    """/metrics scraped ``scrapes`` times, and the same bytes as a static file."""
    ours: list[float] = []
    body = b""
    for _ in range(scrapes):
        seconds, body = get(port, "/metrics")
        ours.append(seconds)
    static = _static_file_times(body, scrapes)
    return {
        "scrape_s": statistics.median(ours),
        "scrape_max_s": max(ours),
        "metrics_bytes": float(len(body)),
        "static_s": statistics.median(static),
    }


def _static_file_times(body: bytes, scrapes: int) -> list[float]:
    folder = Path(tempfile.mkdtemp(prefix="lw-bench-static-"))
    (folder / "metrics").write_bytes(body)
    port = free_port()
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    server = subprocess.Popen(
        [*argv, "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                get(port, "/metrics")
                break
            except (OSError, RuntimeError, http.client.HTTPException):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("a bare http.server did not start") from None
                time.sleep(0.05)
        return [get(port, "/metrics")[0] for _ in range(scrapes)]
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
