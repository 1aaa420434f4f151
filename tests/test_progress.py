"""The progress line: its rate and time left leave out the first batch (compiling)."""

import io

from sim.experiment.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_time_left_leaves_out_the_compiling_first_batch():
    # 10 batches of 100 runs: the first takes 60 s (compiling), each after it 1 s. From the
    # second batch on, the estimate is the true time left (1 s a batch), not 60-odd seconds
    clock, out = Clock(), io.StringIO()
    bar = Progress(1000, stream=out, every=0.0, clock=clock)
    clock.now = 60.0
    bar.advance(100)
    assert out.getvalue().splitlines()[-1].endswith("0.0 runs/s  ? left")
    for k in range(1, 10):
        clock.now = 60.0 + k
        bar.advance(100)
        if k < 9:
            assert out.getvalue().splitlines()[-1].endswith(f"100.0 runs/s  {9 - k}s left")
    assert out.getvalue().splitlines()[-1].startswith("[####################] 100.0%")


def test_runs_already_on_disk_do_not_count_towards_the_rate():
    clock, out = Clock(), io.StringIO()
    bar = Progress(1000, done=500, stream=out, every=0.0, clock=clock)
    clock.now = 30.0
    bar.advance(100)  # the first batch of the resume: compiling again
    clock.now = 32.0
    bar.advance(100)  # 100 runs in 2 s: 300 left take 6 s
    assert out.getvalue().splitlines()[-1].endswith("50.0 runs/s  6s left")
