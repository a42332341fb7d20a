"""Kept for the verification contract and the README: ``from sim.validation import simulate_network``.

The verification networks live in :mod:`sim.verification.networks`; this module only re-exports them.
"""
from sim.verification.networks import (
    NETWORKS,
    REPLICATIONS,
    SEED,
    Customer,
    Network,
    replicate,
    run_engine,
    simulate_network,
    summarise_visits,
    verification_table,
)

__all__ = ["NETWORKS", "REPLICATIONS", "SEED", "Customer", "Network", "replicate", "run_engine",
           "simulate_network", "summarise_visits", "verification_table"]
