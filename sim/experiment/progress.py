"""A progress bar for sweeps: runs done, rate and time left, on one line.

On a terminal the line is redrawn in place (at most a few times a second); in a log file or a
pipe a new line is printed every ``every`` seconds and at the end, so logs stay short.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> clock = iter([0.0, 10.0, 10.0, 20.0, 20.0]).__next__
>>> bar = Progress(total=1000, done=250, stream=out, every=0.0, clock=clock)
>>> bar.advance(250)  # the first batch (compiling): no rate yet
>>> bar.advance(250)  # 250 runs in the next 10 s
>>> print(out.getvalue().strip())
[##########----------]  50.0%  500/1,000 runs  0.0 runs/s  ? left
[###############-----]  75.0%  750/1,000 runs  25.0 runs/s  10s left
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from typing import Any


def one_line_warnings(prefix: str = "empathy-sim: warning: ") -> None:
    """Show every warning still shown as one line of ours: its message, without the library's
    file path and source line that Python prints. Warnings the project knows are reworded or
    silenced where they arise (sim.experiment.sensitivity, sim.experiment.config,
    sim.experiment.executors); this is the net for the rest. Call it inside
    ``warnings.catch_warnings()`` to undo it afterwards."""

    def show(message: Any, category: Any, filename: str, lineno: int, file=None, line=None):
        text = " ".join(str(message).split())
        print(f"{prefix}{text}", file=sys.stderr if file is None else file, flush=True)

    warnings.showwarning = show


def duration(seconds: float) -> str:
    """Seconds as a short text.

    >>> duration(59.4), duration(61), duration(7322)
    ('59s', '1m01s', '2h02m')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """A progress line for ``total`` runs, ``done`` of them already on disk.

    The rate (and so the time left) counts only runs finished after the first batch: the first
    batch of a sweep pays for compiling the Numba core in each worker (6-7 s here), so a rate
    from the start said "4m54s left" when seconds remained. Until a second batch is in, the time
    left shows as "?"."""

    def __init__(
        self,
        total: int,
        done: int = 0,
        stream: Any = sys.stdout,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.done, self.stream, self.every, self.clock = (
            total,
            done,
            stream,
            every,
            clock,
        )
        self.start_done = done  # runs already on disk (a resume) do not count towards the rate
        self.started = clock()
        self.first: tuple[float, int] | None = None  # (time, runs done) after the first batch
        self.shown = -1e300
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    def line(self) -> str:
        width = 20
        share = self.done / self.total if self.total else 1.0
        filled = round(width * share)
        bar = "#" * filled + "-" * (width - filled)
        rate = 0.0
        if self.first is not None and self.done > self.first[1]:
            rate = (self.done - self.first[1]) / max(self.clock() - self.first[0], 1e-9)
        left = duration((self.total - self.done) / rate) if rate > 0 else "?"
        return (
            f"[{bar}] {100 * share:5.1f}%  {self.done:,}/{self.total:,} runs  "
            f"{rate:,.1f} runs/s  {left} left"
        )

    def advance(self, runs: int) -> None:
        self.done += runs
        now = self.clock()
        if self.first is None:  # the rate starts once the compiling first batch is in
            self.first = (now, self.done)
        finished = self.done >= self.total
        if not finished and now - self.shown < (0.2 if self.tty else self.every):
            return
        self.shown = now
        try:
            if self.tty:
                end = "\n" if finished else ""
                print("\r" + self.line(), end=end, file=self.stream, flush=True)
            else:
                print(self.line(), file=self.stream, flush=True)
        except (
            BrokenPipeError,
            ValueError,
        ):  # output piped to `head`, or closed: the sweep goes on
            self.every, self.tty, self.shown = float("inf"), False, float("inf")
