"""``python -m qcode``: the same entry point as the ``qcode`` console script."""

from qcode.cli import entry_point

if __name__ == "__main__":
    entry_point()
