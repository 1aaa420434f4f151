"""``python -m sim`` is the same as the ``empathy-sim`` command."""

from sim.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
