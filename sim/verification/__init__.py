"""Verification: the model's own engine run as plain queueing networks, checked against theory.

It owns the analytic formulas (``queueing``: Erlang B and C, M/M/c, Jackson series networks, and processor
sharing: M/G/1-PS, c servers shared equally, c random desks) and the verification networks (``networks``;
``table`` checks them:
:func:`~sim.verification.networks.simulate_network` builds stations from the very ``Engine``, ``Pool``,
``SharedServer`` and draw banks that simulate FMS cases - first come first served, or processor sharing with
deterministic, exponential or lognormal work - and ``verification_table`` compares them with theory inside
Bonferroni intervals).  Pure: no files, no printing.  It may import
``sim.analysis`` (the Student-t interval), ``sim.engine`` and nothing above them; the
``python -m sim validate`` command that prints and writes the tables sits at the top of the package.
"""
from sim.verification.networks import conditional_sojourn, simulate_network
from sim.verification.table import NETWORKS, Network, verification_table

__all__ = ["NETWORKS", "Network", "conditional_sojourn", "simulate_network", "verification_table"]
