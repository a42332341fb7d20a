"""fms-sim: a discrete-event simulator of the U.S. Foreign Military Sales process.

Public API (everything else is internal):

* :class:`Params` and :func:`validate_params` - typed parameters and every rule on their values;
* :class:`FmsModel` - one replication of the case flow (SimPy);
* :func:`run_replication`, :func:`run_replications` - tidy tables per replication;
* :func:`simulate_network` - the verification network run on the model's own engine.

``validate_params`` is not called ``validate``: ``sim.validate`` is the ``python -m sim.validate``
command module, and importing it would hide a function of that name.
"""
from sim.model import FmsModel, Params, validate_params
from sim.runner import RepResult, run_replication, run_replications
from sim.verification.networks import simulate_network

__all__ = ["FmsModel", "Params", "RepResult", "run_replication", "run_replications", "simulate_network",
           "validate_params"]
