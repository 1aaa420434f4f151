"""Benchmark: the Mesa engine's cost per agent-step on a 1,000-node Barabasi-Albert market.

Prints the median over repeats (machines here are shared and noisy) and saves every timing to
results/bench_mesa_speed.csv. Usage: .venv/bin/python experiments/bench_mesa_speed.py
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time

from sim.model import JobSearchModel


def measure(n_nodes: int, weeks: int, warmup: int, seed: int) -> float:
    model = JobSearchModel(
        seed=seed,
        scenario="market",
        graph="barabasi-albert",
        n_nodes=n_nodes,
        weeks=warmup + weeks,
    )
    for _ in range(warmup):  # reach the steady state's load of seekers and views first
        model.step()
    start = time.perf_counter()
    for _ in range(weeks):
        model.step()
    return (time.perf_counter() - start) / (weeks * n_nodes) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default="results/bench_mesa_speed.csv")
    args = parser.parse_args()
    timings = [measure(args.nodes, args.weeks, args.warmup, seed) for seed in range(args.repeats)]
    print(
        f"Mesa engine, Barabasi-Albert n={args.nodes}, market defaults, {args.weeks} weeks after "
        f"{args.warmup} warm-up: median {statistics.median(timings):.2f} us per agent-step "
        f"(min {min(timings):.2f}, max {max(timings):.2f}, {args.repeats} repeats)"
    )
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["repeat", "us_per_agent_step"])
        writer.writerows(enumerate(timings))


if __name__ == "__main__":
    main()
