"""``python -m sim``: run the baseline (or what the overrides say); see sim.commands.run."""
import sys

from sim.commands.run import main

sys.exit(main())
