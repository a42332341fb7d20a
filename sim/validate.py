"""``python -m sim.validate``: the verification and calibration tables (``fms-sim validate``), under the name the README
has always given it (issue 7 keeps the commands working); the command itself is :mod:`sim.commands.validate`.
Importing this module does nothing."""
import sys

if __name__ == "__main__":
    from sim.commands.validate import main

    sys.exit(main())
