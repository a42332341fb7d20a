"""``python -m sim.validate``: the verification and calibration tables (``fms-sim validate``), under its older name
(issue 7 keeps the commands working; docs/reference/command-line.md lists both);
the command itself is :mod:`sim.commands.validate`.
Importing this module does nothing."""
import sys

if __name__ == "__main__":
    from sim.commands.validate import main

    sys.exit(main())
