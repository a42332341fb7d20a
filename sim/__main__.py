"""``python -m sim``: run the baseline (or what the overrides say); see sim.cli."""
import sys

from sim.cli import main

sys.exit(main())
