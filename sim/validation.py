"""Kept for the verification contract and the README: ``from sim.validation import simulate_network``.

The verification networks live in :mod:`sim.verification.networks` and :mod:`sim.verification.table`; this
module only re-exports them.
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
