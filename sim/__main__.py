"""``python -m sim`` is the same as the ``empathy-sim`` command."""

from sim.cli import entry

if __name__ == "__main__":
    entry()
