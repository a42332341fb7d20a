"""``python -m sim.report``: the multirun report (``fms-sim report <dir>``), under the name the README
has always given it (issue 7 keeps the commands working); the command itself is :mod:`sim.commands.report`.
Importing this module does nothing."""
import sys

if __name__ == "__main__":
    from sim.commands.report import main

    sys.exit(main())
