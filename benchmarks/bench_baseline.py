"""Throughput of one fms-sim baseline replication against a bare SimPy model of the same workload.

Variants, run in turn in every repeat (replication 0 and a fixed seed, so every repeat does the same work):
``fms_model_slots`` is ``FmsModel(...).run()`` alone with ``staffing=slots`` (draw banks, priority pools, visit
totals summed as visits end and done cases kept as columns, as in every run without ``run.records=full``,
sampler, and its rarer cyclic collections: ``sim.engine.collection``);
``fms_model_portfolio`` the same with the default portfolio offices (people sharing their attention);
``fms_replication`` is ``sim.runner.simulate`` on the default config, the model plus its result
tables; ``bare_simpy`` is
the minimal model below: same LOR rate, horizon and drain, same stages, rework loops and probabilities, the same
amendments and modifications (Poisson streams at the groups' rates while a case is implemented),
plain ``simpy.Resource`` pools of the same capacities, same distribution families drawn by numpy in
chunks, and a visit counter instead of records; ``bare_simpy_rare_gc`` is the same bare model run with fms-sim's
collector setting, so the cost of fms-sim's own machinery shows without that advantage.  Reported: median wall
time, cases (LORs) per second and stage visits per second (plus median process CPU time, less sensitive to
other jobs).  The machine is shared and noisy, so absolute seconds drift from run to run; the throughput ratio
fms-sim / bare, measured in the same run under the same load, is the figure to compare across runs: it is the cost of
fms-sim's machinery on top of SimPy itself.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any, Generator, NamedTuple

import numpy as np
import simpy

from sim.config import compose_config, to_params
from sim.engine.clock import DAYS_PER_YEAR, years
from sim.engine.collection import rare_collections
from sim.engine.distributions import Dist
from sim.engine.rng import RandomStreams
from sim.model.fms_model import FmsModel
from sim.model.ledger import Ledger
from sim.model.observers import CohortVisits
from sim.model.params import CongressionalReviewParams, DemandParams, Params
from sim.runner import simulate

OUT = Path(__file__).resolve().parents[1] / "results" / "benchmarks" / "bench_baseline.json"
CHUNK = 4096  # scalar draws taken from numpy at a time


def sample(rng: np.random.Generator, d: Dist, n: int) -> np.ndarray:
    """``n`` draws from ``d`` with numpy's own samplers (same family and parameters as fms-sim)."""
    if d.kind == "lognormal":
        x = d.median * np.exp(d.sigma * rng.standard_normal(n))
    elif d.kind == "triangular" and d.high > d.low:
        x = rng.triangular(d.low, d.mode, d.high, n)
    elif d.kind in ("triangular", "uniform"):
        x = rng.uniform(d.low, d.high, n)
    elif d.kind == "exponential":
        x = rng.exponential(d.mean, n)
    else:
        x = np.full(n, d.value)
    return x if d.cap is None else np.minimum(x, d.cap)


class Draws:
    """Scalar draws of one distribution, pre-drawn ``CHUNK`` at a time."""

    def __init__(self, rng: np.random.Generator, dist: Dist) -> None:
        self.rng, self.dist = rng, dist
        self.buf: list[float] = []

    def __call__(self) -> float:
        if not self.buf:
            self.buf = sample(self.rng, self.dist, CHUNK).tolist()
        return self.buf.pop()


class BareCase(NamedTuple):
    loa_group: str
    partner_group: str
    tech_release: bool
    notified: bool
    acquisition: str
    platform: str  # "" unless a new-procurement major platform
    quantity: int


def pick(rng: np.random.Generator, weights: list[float], n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), n, p=w / w.sum())


def draw_cases(d: DemandParams, cr: CongressionalReviewParams, rng: np.random.Generator, n: int) -> list[BareCase]:
    """Case attributes with the mix of ``sim.model.entities``, drawn by vectorized numpy calls."""
    names = list(d.groups)
    group = pick(rng, [d.groups[g].share for g in names], n)
    pgroup = np.array([p.group for p in d.partners])[pick(rng, [p.weight for p in d.partners], n)]
    value, mde, tech, major = np.zeros(n), np.zeros(n), np.zeros(n, bool), np.zeros(n, bool)
    acq, plat, qty = np.full(n, "stock", dtype=object), np.full(n, "", dtype=object), np.zeros(n, int)
    for k, mix in enumerate(d.groups.values()):
        m = group == k
        nk = int(m.sum())
        value[m] = sample(rng, mix.value, nk)
        frac = np.minimum(1.0, sample(rng, mix.mde_fraction, nk))
        mde[m] = np.where(rng.random(nk) < mix.p_mde, value[m] * frac, 0.0)
        tech[m] = rng.random(nk) < mix.p_tech_release
        acq[m] = np.array(list(mix.acquisition), dtype=object)[pick(rng, list(mix.acquisition.values()), nk)]
        major[m] = rng.random(nk) < mix.p_major_platform
    big = np.flatnonzero((acq == "new_procurement") & major)
    family = pick(rng, [f.weight for f in d.platforms], big.size)
    for k, f in enumerate(d.platforms):
        idx = big[family == k]
        plat[idx] = f.name
        qty[idx] = np.maximum(1, np.rint(sample(rng, f.quantity, idx.size)))
    mde_thr = np.array([cr.mde_threshold[g] for g in pgroup.tolist()])
    total_thr = np.array([cr.total_threshold[g] for g in pgroup.tolist()])
    notified = (mde >= mde_thr) | (value >= total_thr)
    return [BareCase(names[g], pg, t, nt, a, pl, q) for g, pg, t, nt, a, pl, q in zip(
        group.tolist(), pgroup.tolist(), tech.tolist(), notified.tolist(), acq, plat, qty.tolist())]


class BareModel:
    """The fms-sim case flow written as plain SimPy, with no records and no common random numbers."""

    def __init__(self, params: Params, seed: int) -> None:
        p = self.p = params.process
        rng = self.rng = np.random.default_rng(seed)
        self.env = simpy.Environment()
        self.pools = {k: simpy.Resource(self.env, s.headcount * s.caseload) for k, s in params.staffing.pools.items()}
        self.lines = {k: simpy.Resource(self.env, 1) for k in params.staffing.production_lines}
        self.line_rate = dict(params.staffing.production_lines)
        horizon = years(params.run.horizon_years)
        self.end = horizon + years(params.run.drain_years)
        n = int(rng.poisson(params.demand.lor_per_year / DAYS_PER_YEAR * horizon))
        self.arrivals = np.sort(rng.uniform(0.0, horizon, n)).tolist()  # a Poisson process on [0, horizon)
        cr = p.congressional_review
        self.cases = draw_cases(params.demand, cr, rng, n)
        dists = {"intake": p.lor_intake.work, "rework": p.lor_intake.rework, "tech": p.tech_release.work,
                 "hold": cr.hold, "accept": p.offer_acceptance.acceptance, "impl": p.implementation.work,
                 "change": p.contracting.change_delay, "delivery": p.delivery.work, "closure": p.closure.work,
                 "u": Dist(kind="uniform", low=0.0, high=1.0),
                 **{f"loa_{k}": v for k, v in p.loa_development.work.items()},
                 **{f"contract_{k}": v for k, v in p.contracting.work.items()},
                 **{f"lead_{k}": v for k, v in p.production.lead_time.items()}}
        self.draw = {k: Draws(rng, v) for k, v in dists.items()}
        self.visits = 0

    def work(self, pool: simpy.Resource, days: float) -> Generator:
        with pool.request() as req:
            yield req
            yield self.env.timeout(days)
        self.visits += 1

    def delay(self, days: float) -> Generator:
        yield self.env.timeout(days)
        self.visits += 1

    def loa(self, content: float) -> Generator:
        share = self.p.policy_review.share_of_loa_work
        yield from self.work(self.pools["case_writers"], content * (1.0 - share))
        if content * share > 0:
            yield from self.work(self.pools["policy_reviewers"], content * share)

    def case(self, c: BareCase) -> Generator:
        p, d, u = self.p, self.draw, self.draw["u"]
        while True:  # LOR intake, with partner rework of incomplete LORs
            yield from self.work(self.pools["case_managers"], d["intake"]())
            if u() >= p.lor_intake.p_incomplete:
                break
            yield from self.delay(d["rework"]())
        if c.tech_release:
            yield from self.work(self.pools["tech_reviewers"], d["tech"]())
        yield from self.loa(d[f"loa_{c.loa_group}"]())
        if c.notified:
            cr, g = p.congressional_review, c.partner_group
            hold = d["hold"]() if u() < cr.p_hold else 0.0
            yield from self.delay(cr.informal_days[g] + hold + cr.formal_days[g])
        o = p.offer_acceptance
        while u() < o.p_expire:  # expired offer: restated or withdrawn
            yield from self.delay(o.offer_expiry_days)
            if u() >= o.p_restate:
                return
            yield from self.loa(d[f"loa_{c.loa_group}"]() * o.restate_share)
        yield from self.delay(min(d["accept"](), o.offer_expiry_days))
        lor = self.env.now  # (close enough to the LOR for planning: documents start after implementation)
        yield from self.delay(d["impl"]())
        closing = [False]
        self.env.process(self.documents(c, lor, closing))
        if c.acquisition != "stock":
            ct, share = p.contracting, 1.0
            while True:  # contracting, with partner requirement changes
                yield from self.work(self.pools["contracting_officers"], share * d[f"contract_{c.acquisition}"]())
                if u() >= ct.p_requirement_change:
                    break
                yield from self.delay(d["change"]())
                share = ct.change_rework_share
            if c.platform:
                yield from self.work(self.lines[c.platform], c.quantity / self.line_rate[c.platform] * DAYS_PER_YEAR)
                yield from self.delay(d["lead_major_platform"]())
            else:
                yield from self.delay(d["lead_standard"]())
        yield from self.delay(d["delivery"]())
        yield from self.delay(d["closure"]())
        closing[0] = True

    def documents(self, c: BareCase, since: float, closing: list[bool]) -> Generator:
        """Amendments and modifications as in fms-sim: Poisson streams at the group's rates while the case is
        implemented and not closed; an amendment is written and reviewed like an LOA, then offered."""
        env, p, d = self.env, self.p, self.draw
        times = []
        for kind, dp in (("amendment", p.amendments), ("modification", p.modifications)):
            rate = dp.per_year.get(c.loa_group, 0.0)
            t = since
            while rate > 0:
                t += float(self.rng.exponential(DAYS_PER_YEAR / rate))
                if t > self.end:
                    break
                if t >= env.now:
                    times.append((t, kind))
        for t, kind in sorted(times):
            yield env.timeout(t - env.now)
            if closing[0]:
                return
            dp = p.amendments if kind == "amendment" else p.modifications
            content = d[f"loa_{dp.work_group.get(c.loa_group, c.loa_group)}"]() * dp.work_share
            env.process(self.amendment(c, content) if kind == "amendment" else self.modification(content))

    def amendment(self, c: BareCase, content: float) -> Generator:
        p, u = self.p, self.draw["u"]
        yield from self.loa(content)
        cr = p.congressional_review
        if c.notified and u() < p.amendments.p_enhancement:
            yield from self.delay(cr.informal_days[c.partner_group] + cr.formal_days[c.partner_group])
        yield from self.delay(min(self.draw["accept"](), p.offer_acceptance.offer_expiry_days))

    def modification(self, content: float) -> Generator:
        yield from self.work(self.pools["case_writers"], content)

    def _arrivals(self) -> Generator:
        env = self.env
        for t, c in zip(self.arrivals, self.cases):
            yield env.timeout(t - env.now)
            env.process(self.case(c))

    def run(self) -> "BareModel":
        self.env.process(self._arrivals())
        self.env.run(until=self.end)
        return self


VARIANTS = ("fms_model_slots", "fms_model_portfolio", "fms_replication", "bare_simpy", "bare_simpy_rare_gc")


def run_variant(name: str, params: Params, slots: Params) -> tuple[int, int]:
    """One replication-0 run of a variant; returns (cases, stage visits).  ``params`` is the default config
    (portfolio offices), ``slots`` the same with ``staffing=slots`` (the shape of the bare model)."""
    if name in ("fms_model_slots", "fms_model_portfolio"):
        p = slots if name == "fms_model_slots" else params
        # as every run but run.records=full: visits summed as they end, done cases kept as columns
        totals, ledger = CohortVisits(), Ledger()
        with rare_collections():  # as the worker layer runs it (sim.runner)
            m = FmsModel(p, RandomStreams(p.seed, 0), observers=[totals, ledger]).run()
        return len(ledger.cases) + len(m.live), totals.count
    if name == "fms_replication":
        with rare_collections():
            res = simulate(params, 0)
        return len(res.cases), res.events
    if name == "bare_simpy_rare_gc":  # the bare model with fms-sim's collector setting, for a like-for-like ratio
        with rare_collections():
            bare = BareModel(slots, slots.seed).run()
    else:
        bare = BareModel(slots, slots.seed).run()
    return len(bare.cases), bare.visits


def measure(params: Params, reps: int, slots: Params) -> dict[str, dict[str, Any]]:
    """Run the variants in turn ``reps`` times; per variant: counts, wall and CPU times, throughputs."""
    walls: dict[str, list[float]] = {k: [] for k in VARIANTS}
    cpus: dict[str, list[float]] = {k: [] for k in VARIANTS}
    counts: dict[str, tuple[int, int]] = {}
    for rep in range(reps):
        for name in VARIANTS:
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            counts[name] = run_variant(name, params, slots)  # the same every repeat: same seed, same work
            walls[name].append(time.perf_counter() - t0)
            cpus[name].append(time.process_time() - c0)
            print(f"rep {rep + 1}/{reps} {name:<16} wall {walls[name][-1]:6.2f} s  cpu {cpus[name][-1]:6.2f} s",
                  flush=True)
    out = {}
    for name, (cases, visits) in counts.items():
        med, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        out[name] = {"cases": cases, "visits": visits, "visits_per_case": visits / cases, "wall_s": walls[name],
                     "cpu_s": cpus[name], "median_s": med, "median_cpu_s": cpu, "cases_per_s": cases / med,
                     "visits_per_s": visits / med, "visits_per_cpu_s": visits / cpu}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3, help="repeats of each variant; the median is reported")
    ap.add_argument("--horizon-years", type=float, default=None, help="LOR arrival horizon (default: the config's)")
    args = ap.parse_args()
    overrides = ["run.replications=1", "run.jobs=1"]
    if args.horizon_years is not None:
        overrides.append(f"run.horizon_years={args.horizon_years}")
        if compose_config().run.warmup_years >= args.horizon_years:
            overrides.append("run.warmup_years=0")  # the warm-up must end before the horizon
    params = to_params(compose_config(overrides))
    slots = to_params(compose_config([*overrides, "staffing=slots"]))

    variants = measure(params, args.reps, slots)
    bare = variants["bare_simpy"]
    ratios = {k: {q: v[q] / bare[q] for q in ("visits_per_s", "cases_per_s", "visits_per_cpu_s")}
              for k, v in variants.items() if k != "bare_simpy"}
    # like for like: fms-sim runs with rarer cyclic collections (sim.engine.collection); the bare model given the same
    rare = variants["bare_simpy_rare_gc"]
    ratios_rare = {k: {q: v[q] / rare[q] for q in ("visits_per_s", "visits_per_cpu_s")}
                   for k, v in variants.items() if k.startswith("fms_")}
    print(f"\n{'variant':<16} {'cases':>7} {'visits':>8} {'v/case':>6} {'median s':>9} {'cpu s':>6} "
          f"{'cases/s':>8} {'visits/s':>9}")
    for name, v in variants.items():
        print(f"{name:<16} {v['cases']:>7} {v['visits']:>8} {v['visits_per_case']:>6.2f} {v['median_s']:>9.2f} "
              f"{v['median_cpu_s']:>6.2f} {v['cases_per_s']:>8.0f} {v['visits_per_s']:>9.0f}")
    print("\nthroughput ratio fms-sim / bare SimPy (1 = as fast as bare, 0.5 = half as fast)")
    for name, r in ratios.items():
        print(f"{name:<20} visits/s {r['visits_per_s']:.3f}   cases/s {r['cases_per_s']:.3f}   "
              f"(by CPU time: visits/cpu-s {r['visits_per_cpu_s']:.3f})")
    print("against the bare model with the same collector setting:")
    for name, r in ratios_rare.items():
        print(f"{name:<20} visits/s {r['visits_per_s']:.3f}   (by CPU time {r['visits_per_cpu_s']:.3f})")
    sl, pf = variants["fms_model_slots"], variants["fms_model_portfolio"]
    cost = {"seconds_per_visit_portfolio_over_slots":
            (pf["median_s"] / pf["visits"]) / (sl["median_s"] / sl["visits"]),
            "cpu_per_visit_portfolio_over_slots":
            (pf["median_cpu_s"] / pf["visits"]) / (sl["median_cpu_s"] / sl["visits"])}
    print("\ncost per stage visit, portfolio offices / slot pools: "
          f"{cost['seconds_per_visit_portfolio_over_slots']:.3f} "
          f"(by CPU time {cost['cpu_per_visit_portfolio_over_slots']:.3f})")

    report = {
        "benchmark": "bench_baseline", "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "reps": args.reps, "seed": params.seed, "lor_per_year": params.demand.lor_per_year,
        "horizon_years": params.run.horizon_years, "drain_years": params.run.drain_years,
        "environment": {"python": platform.python_version(), "simpy": simpy.__version__, "numpy": np.__version__,
                        "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "variants": variants, "ratio_fms_over_bare": ratios, "ratio_fms_over_bare_rare_gc": ratios_rare,
        "portfolio_over_slots": cost,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
