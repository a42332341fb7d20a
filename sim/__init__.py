"""fms-sim: a discrete-event simulator of the U.S. Foreign Military Sales process.

Public API (everything else is internal):

* :class:`Params` and :func:`validate` - typed, validated parameters;
* :class:`FmsModel` - one replication of the case flow (SimPy);
* :func:`run_replication`, :func:`run_replications` - tidy tables per replication.
"""
from sim.model import FmsModel
from sim.params import Params, validate
from sim.runner import RepResult, run_replication, run_replications

__all__ = ["FmsModel", "Params", "RepResult", "run_replication", "run_replications", "validate"]
