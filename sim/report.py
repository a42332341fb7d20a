"""``python -m sim.report``: the multirun report (``fms-sim report <dir>``), under its older name
(issue 7 keeps the commands working; docs/reference/command-line.md lists both);
the command itself is :mod:`sim.commands.report`.
Importing this module does nothing."""
import sys

if __name__ == "__main__":
    from sim.commands.report import main

    sys.exit(main())
