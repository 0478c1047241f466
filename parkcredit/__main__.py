"""``python -m parkcredit``: the same as the ``parkcredit`` console script."""

from parkcredit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
