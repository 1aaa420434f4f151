"""Run a config's sweep and record its wall time and memory: the figures quoted for the flagship.

    python experiments/measure_sweep.py configs/flagship.toml [empathy-sim run options...]

Samples the resident memory of the sweep and all its worker processes once a second and writes
``results/<config stem>-measure.json``: wall time, peak total memory, and memory against runs
done (to show it stays flat as results stream to disk).
"""

import contextlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def main(config: str, *options: str) -> None:
    out = Path("results") / f"{Path(config).stem}-measure.json"
    command = [sys.executable, "-m", "sim", "run", config, *options]
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
    watched = psutil.Process(child.pid)
    samples, done, last = [], 0, 0.0
    assert child.stdout is not None
    while True:
        line = child.stdout.readline()
        if line:
            print(line, end="", flush=True)
            match = re.search(r"([\d,]+)/[\d,]+ runs", line)
            if match:
                done = int(match[1].replace(",", ""))
        elif child.poll() is not None:
            break
        now = time.monotonic()
        if now - last >= 1.0:
            last = now
            with contextlib.suppress(psutil.NoSuchProcess):
                samples.append((round(now - started, 1), done, tree_rss(watched)))
    wall = time.monotonic() - started
    report = {
        "command": " ".join(["empathy-sim", "run", config, *options]),
        "exit_code": child.returncode,
        "wall_seconds": round(wall, 1),
        "peak_rss_bytes": max((s[2] for s in samples), default=0),
        "samples_seconds_runs_rss": samples,
        "cpu_count": psutil.cpu_count(),
    }
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"wall {wall:,.0f} s, peak memory {report['peak_rss_bytes'] / 1e6:,.0f} MB -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
