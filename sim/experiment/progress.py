"""A progress bar for sweeps: runs done, rate and time left, on one line.

On a terminal the line is redrawn in place (at most a few times a second); in a log file or a
pipe a new line is printed every ``every`` seconds and at the end, so logs stay short.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> bar = Progress(total=1000, done=250, stream=out, clock=iter([0.0, 10.0, 10.0]).__next__)
>>> bar.advance(250)
>>> print(out.getvalue().strip())
[##########----------]  50.0%  500/1,000 runs  25.0 runs/s  20s left
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
        self.shown = -1e300
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    def line(self) -> str:
        width = 20
        share = self.done / self.total if self.total else 1.0
        filled = round(width * share)
        bar = "#" * filled + "-" * (width - filled)
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = (self.done - self.start_done) / elapsed
        left = duration((self.total - self.done) / rate) if rate > 0 else "?"
        return (
            f"[{bar}] {100 * share:5.1f}%  {self.done:,}/{self.total:,} runs  "
            f"{rate:,.1f} runs/s  {left} left"
        )

    def advance(self, runs: int) -> None:
        self.done += runs
        now = self.clock()
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
