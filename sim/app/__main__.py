"""``python -m sim.app``: the what-if page (``sim.app.launch``; the same as ``python -m sim serve``)."""
import sys

from sim.app.launch import main

if __name__ == "__main__":
    sys.exit(main())
