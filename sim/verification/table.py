"""The verification table: named networks run on the model's engine (``sim.verification.networks``), against theory.

The analytic values come from ``sim.verification.queueing``: Erlang C per station of a Jackson network;
for processor sharing the M/G/1-PS mean sojourn E[S]/(1 - rho) and E[T | S = x] = x/(1 - rho) for every
service distribution (insensitivity), M/M/c's mean sojourn for c servers shared equally, and c M/G/1-PS
queues at lambda/c for random desks.  ``verification_table`` runs independent replications of each
network in ``NETWORKS`` and compares, per station, the simulated mean time in queue (``T - S`` for a
sharing station) and per network the mean sojourn with theory, inside Student-t intervals across
replications whose level is Bonferroni-adjusted for the number of rows.  Pure: no files, no printing.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import numpy as np

from sim.analysis.intervals import t_interval
from sim.verification.networks import simulate_network, station_disciplines
from sim.verification.queueing import jackson_series, series

SEED = 20260404  # fixed once, before any result was looked at
REPLICATIONS = 20
LEVEL = 0.95  # family-wise confidence level of the whole table


@dataclass(frozen=True)
class Network:
    """A named series network and the run design used to verify it (times in days).

    ``discipline`` (one for all stations, or one per station) and ``service_cv`` are those of
    :func:`simulate_network`; the defaults are the FCFS M/M/c stations of a Jackson network.
    """

    name: str
    arrival_rate: float
    servers: tuple[int, ...]
    service_rates: tuple[float, ...]
    horizon: float
    warmup: float
    discipline: Union[str, tuple[str, ...]] = "slots"
    service_cv: float = 1.0

    def disciplines(self) -> list[str]:
        """The discipline of every station."""
        return station_disciplines(self.discipline, len(self.servers))

    def analytic(self) -> dict[str, Any]:
        """Per station ``rho``, ``wq`` (mean time in queue; for a sharing station the mean time beyond the
        service requirement), ``w``, and the network's ``sojourn`` (``sim.verification.queueing``)."""
        ds = self.disciplines()
        if all(d == "slots" for d in ds) and self.service_cv == 1.0:
            return jackson_series(self.arrival_rate, self.servers, self.service_rates)
        return series(self.arrival_rate, self.servers, self.service_rates, ds, [self.service_cv] * len(ds))


# Run design: REPLICATIONS independent replications per network, each starting empty; the warm-up is
# many relaxation times of the slowest station (about 1 / (mu (1 - sqrt(rho))^2) for an M/M/1: 380 at
# rho 0.9, against a warm-up of 3,000), and the horizons give the heavy-load rows 95% half-widths of
# about 7% (M/M/1) and 10% (M/M/20) of the value.  The FMS-like station (7.5% of cases wait, briefly)
# is a check at scale: its Wq interval stays wide (about +/-25% at 95%) within this budget, its
# sojourn interval is tight.  The FCFS networks take about 30 s on one core (about 1.5 million visits).
#
# The processor-sharing networks (``Engine.share`` on ``SharedServer``s) check insensitivity (the M/G/1-PS
# mean sojourn E[S] / (1 - rho) with deterministic and lognormal cv 2 work, as with exponential work), equal
# sharing of c servers (M/M/c's mean sojourn) and random desks (c M/M/1-PS queues at lambda / c: four desks
# at rho 0.7 give a mean sojourn of 3.33 mean services, the same four servers shared by everyone 1.36).
# Their measure per station is the time at the station beyond the customer's requirement (T - S).  Their
# 95% half-widths are 2-7% of the value; about 0.6 million customers, 17-20 s more on one core.
NETWORKS: tuple[Network, ...] = (
    Network("M/M/1 light (rho 0.5)", 0.5, (1,), (1.0,), horizon=3_000.0, warmup=100.0),
    Network("M/M/1 heavy (rho 0.9)", 0.9, (1,), (1.0,), horizon=30_000.0, warmup=3_000.0),
    Network("M/M/20 heavy (rho 0.9)", 18.0, (20,), (1.0,), horizon=1_500.0, warmup=50.0),
    Network("series 1-5-1 (rho 0.6, 0.8, 0.75)", 0.6, (1, 5, 1), (1.0, 0.15, 0.8),
            horizon=8_000.0, warmup=1_000.0),
    Network("FMS-like pool M/M/100 (rho 0.85, 30-day work)", 85.0 / 30.0, (100,), (1.0 / 30.0,),
            horizon=3_000.0, warmup=300.0),
    Network("M/G/1-PS deterministic (rho 0.7)", 0.7, (1,), (1.0,), horizon=8_000.0, warmup=500.0,
            discipline="shared", service_cv=0.0),
    Network("M/G/1-PS lognormal cv 2 (rho 0.7)", 0.7, (1,), (1.0,), horizon=15_000.0, warmup=1_000.0,
            discipline="shared", service_cv=2.0),
    Network("M/M/3 equal sharing (rho 0.8)", 2.4, (3,), (1.0,), horizon=3_000.0, warmup=300.0,
            discipline="shared"),
    Network("4 random desks M/M/1-PS (rho 0.7)", 2.8, (4,), (1.0,), horizon=2_500.0, warmup=300.0,
            discipline="desks"),
)


def network_seed(network: Network, seed: int) -> int:
    """The root seed of one network: ``seed`` plus the crc32 of its name, so that the networks of a
    table draw independent numbers (and a network's numbers do not depend on its place in the list)."""
    return int(seed) + zlib.crc32(network.name.encode("utf-8"))


def replicate(network: Network, replications: int = REPLICATIONS, seed: int = SEED) -> list[dict[str, Any]]:
    """Independent replications 0..replications-1 of one network (streams from (network seed, r))."""
    root = network_seed(network, seed)
    return [simulate_network(network.arrival_rate, network.servers, network.service_rates, network.horizon,
                             network.warmup, root, r, network.discipline, network.service_cv)
            for r in range(replications)]


def compare(name: str, station: str, measure: str, analytic: float, values: Sequence[float],
            level: float, level_95: float = 0.95) -> dict[str, Any]:
    """One table row: the analytic value against the interval of the replication values."""
    mean, hw = t_interval(values, level)
    _, hw95 = t_interval(values, level_95)
    gap = mean - analytic
    return {
        "network": name, "station": station, "measure": measure, "analytic": analytic, "simulated": mean,
        "ci_low": mean - hw, "ci_high": mean + hw, "half_width": hw, "level": level,
        "half_width_95": hw95, "gap_pct": 100.0 * gap / analytic if analytic else math.nan,
        "gap_half_widths": gap / hw if hw > 0 else (0.0 if gap == 0 else math.inf),
        "inside": bool(abs(gap) <= hw), "replications": len(values),
    }


def verification_table(networks: Sequence[Network] = NETWORKS, replications: int = REPLICATIONS,
                       seed: int = SEED, level: float = LEVEL,
                       results: Optional[dict[str, list[dict[str, Any]]]] = None) -> list[dict[str, Any]]:
    """Rows of analytic against simulated values for every station's Wq (for a processor-sharing station
    ``T - S``: the mean time at the station beyond the customer's service requirement) and every network's
    mean sojourn.

    Each row's interval has level ``1 - (1 - level) / K`` for the K rows of the table (Bonferroni), so
    all rows hold together with probability at least ``level``.  Each row also carries ``half_width_95``
    (the unadjusted 95% half-width), ``gap_pct`` and ``gap_half_widths`` (simulated minus analytic, in
    percent of the analytic value and in adjusted half-widths).  ``results`` may hold the replications
    already run, by network name (as ``replicate`` returns them).
    """
    rows_spec = []
    for net in networks:
        th = net.analytic()
        reps = results[net.name] if results and net.name in results else replicate(net, replications, seed)
        for k, (c, d) in enumerate(zip(net.servers, net.disciplines())):
            if d == "slots":
                station, measure = f"{k + 1} (c={c}, rho={th['rho'][k]:.2f})", "Wq"
            else:
                station, measure = f"{k + 1} (c={c} {d}, rho={th['rho'][k]:.2f})", "T - S"
            rows_spec.append((net, station, measure, th["wq"][k], [r["mean_wait"][k] for r in reps], reps))
        rows_spec.append((net, "network", "sojourn", th["sojourn"], [r["mean_sojourn"] for r in reps], reps))
    adjusted = 1.0 - (1.0 - level) / len(rows_spec)
    rows = []
    for net, station, measure, analytic, values, reps in rows_spec:
        row = compare(net.name, station, measure, analytic, values, adjusted)
        row["customers"] = float(np.mean([r["n"] for r in reps]))
        rows.append(row)
    return rows
