"""``python -m sim.figures``: a run's figures redrawn (``fms-sim figures <run dir>``), under its older name
(issue 7 keeps the commands working; docs/reference/command-line.md lists both);
the command itself is :mod:`sim.commands.figures`.
Importing this module does nothing."""
import sys

if __name__ == "__main__":
    from sim.commands.figures import main

    sys.exit(main())
