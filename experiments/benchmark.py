"""Benchmark of both engines: the same as `empathy-sim bench` (see sim/studies/bench.py).

Usage: .venv/bin/python experiments/benchmark.py [--quick]
"""

import argparse

from sim.studies.bench import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--out", default="results/benchmark.json")
    args = parser.parse_args()
    main(quick=args.quick, out=args.out, large=args.large)
