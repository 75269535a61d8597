"""What an idle `zhizhi serve` costs: the share of one core its process uses while nobody asks it anything.

    python bench/idle.py [--workspace DIR] [--seconds 60] [--settle 10]

Without `--workspace` it builds the demo city in a temporary folder first (`zhizhi demo --no-serve`, SQLite, four
targets, all sent), so the workers have targets to watch and nothing owed. It then starts `zhizhi serve` on a free
port, waits `--settle` seconds (start-up, the chores' first rounds), and reads the process's CPU time from
/proc/PID/stat (user + system, its threads included) at the start and end of `--seconds` of idleness. Linux only.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ZHIZHI = [sys.executable, "-m", "zhizhi"]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process `pid` so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_up(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"zhizhi serve did not answer at {url} within {seconds:.0f} s")


def measure(workspace: Path, seconds: float, settle: float) -> float:
    """The idle serve's CPU use over `seconds`, as a percentage of one core."""
    port = free_port()
    env = {**os.environ, "ZHIZHI_WORKSPACE": str(workspace)}
    serve = subprocess.Popen([*ZHIZHI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_up(f"http://127.0.0.1:{port}/login", 60)
        time.sleep(settle)
        before, started = cpu_seconds(serve.pid), time.monotonic()
        time.sleep(seconds)
        used, spent = cpu_seconds(serve.pid) - before, time.monotonic() - started
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=30)
    return 100 * used / spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="a workspace with targets (default: a fresh demo city)")
    parser.add_argument("--seconds", type=float, default=60, help="how long to measure")
    parser.add_argument("--settle", type=float, default=10, help="seconds to let start-up work finish first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhizhi-idle-") as scratch:
        workspace = args.workspace
        if workspace is None:
            workspace = Path(scratch) / "demo"
            subprocess.run([*ZHIZHI, "demo", str(workspace), "--no-serve"], check=True, stdout=subprocess.DEVNULL)
        share = measure(workspace, args.seconds, args.settle)
    load = os.getloadavg()
    print(f"idle zhizhi serve: {share:.1f} % of one core over {args.seconds:.0f} s (load average {load[0]:.1f})")


if __name__ == "__main__":
    main()
