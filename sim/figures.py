"""``python -m sim.figures``: a run's figures redrawn (``fms-sim figures <run dir>``), under the name the README
has always given it (issue 7 keeps the commands working); the command itself is :mod:`sim.commands.figures`.
Importing this module does nothing."""
import sys

if __name__ == "__main__":
    from sim.commands.figures import main

    sys.exit(main())
