"""An old name, kept so that ``from sim.validation import simulate_network`` (the verification contract of issue 7)
still works; new code imports from :mod:`sim.verification`.

The names that start with "valid" mean one thing each: :mod:`sim.verification` holds the checks of the model
against theory (queueing networks) and data (calibration); ``python -m sim validate`` (:mod:`sim.commands.validate`,
forwarded by ``sim.validate``) is the command that runs them; ``sim.validate_params`` checks parameter values.
Sweeps *check* their jobs (``sim.sweep.check_jobs``), and ``sim.model.typecheck`` checks types.
"""
from sim.verification.networks import (
    Customer,
    NetworkRun,
    conditional_sojourn,
    run_engine,
    run_network,
    service_dist,
    simulate_network,
    summarise_visits,
)
from sim.verification.table import NETWORKS, REPLICATIONS, SEED, Network, replicate, verification_table

__all__ = ["NETWORKS", "REPLICATIONS", "SEED", "Customer", "Network", "NetworkRun", "conditional_sojourn",
           "replicate", "run_engine", "run_network", "service_dist", "simulate_network", "summarise_visits",
           "verification_table"]
