"""The paths a case can take through a segment of its route, for resuming a start state's cases (``sim.model.start``).

Each segment's path is sampled as its stages draw it: its parts in order, each a stage, the office that works it
(or "" for time that holds none) and its nominal days, loops included.  ``remaining_path`` picks the path a case
that has lasted ``e`` days goes on with (given a total above ``e``, or a fresh one past the ``TAIL`` quantile) and
cuts it at ``e``.  Plain numpy and Python; the draws come from the named stream ``start_segments``.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from typing import Any, Callable, Optional

import numpy as np

from sim.engine.portable_math import plain_sum
from sim.engine.rng import RandomStreams
from sim.model.entities import Case
from sim.model.params import CongressionalReviewParams, ProcessParams
from sim.model.process.case_flow import OFFER_EXPIRES, Part
from sim.model.process.congressional_review import case_notified, period
from sim.model.process.contracting import POOL as CONTRACTING
from sim.model.process.loa_development import POOL as WRITING
from sim.model.process.lor_intake import POOL as INTAKE
from sim.model.process.policy_review import POOL as POLICY
from sim.model.process.tech_release import POOL as TECH
from sim.model.reform import Policy

SAMPLES = 4000  # nominal segment paths drawn per kind of case
TAIL = 0.99  # older than this quantile of its segment's time: a fresh path (its work again)


class SegmentTimes:
    """The nominal paths through each segment, sampled once per kind of case (see the module): each sample is the
    segment's parts in order, as its stages would draw them."""

    def __init__(self, p: ProcessParams, policy: Policy, streams: RandomStreams,
                 parallel: Optional[Callable[[Case], bool]] = None,
                 congress: Optional[CongressionalReviewParams] = None) -> None:
        """``parallel(case)``: whether the case's reviews overlap (a partial uptake decides case by case; by default
        as the policy says); ``congress``: the 36(b) rule a case reaching congressional review meets (by default
        ``p``'s; a reform dated on day 0 brings its own, while the stages already under way keep ``p``'s times)."""
        self.p, self.policy, self.streams = p, policy, streams
        self.parallel = parallel or (lambda case: bool(policy.parallel_reviews))
        self.before = p.congressional_review  # the rule the paths are sampled with: a review under way keeps it
        self.congress = congress or self.before
        self.cache: dict[tuple[Any, ...], tuple[np.ndarray, list[tuple[Part, ...]]]] = {}

    def samples(self, segment: str, case: Case) -> tuple[np.ndarray, list[tuple[Part, ...]]]:
        """The sampled totals in ascending order and the path of each."""
        key = self._key(segment, case)
        if key not in self.cache:
            rng = self.streams("start_segments:" + ":".join(map(str, key)))
            draw = self._sampler(segment, case)
            paths = [draw(rng) for _ in range(SAMPLES)]
            totals = np.array([plain_sum([d for _, _, d in path]) for path in paths], dtype=np.float64)
            order = np.argsort(totals, kind="stable")
            self.cache[key] = (totals[order], [paths[i] for i in order])
        return self.cache[key]

    def _key(self, segment: str, case: Case) -> tuple[Any, ...]:
        if segment == "reviews":
            return (segment, case.loa_group, case.tech_release, case.partner_group, self._notified(case),
                    self.parallel(case))
        if segment == "offer_acceptance":
            return (segment, case.funding)
        if segment == "contracting":
            return (segment, case.acquisition)
        if segment == "production":
            return (segment, "major_platform" if case.platform else "standard", case.acquisition == "stock")
        return (segment,)

    def _notified(self, case: Case) -> bool:
        return case_notified(self.before, case)

    def _sampler(self, segment: str, case: Case) -> Callable[[np.random.Generator], tuple[Part, ...]]:
        p = self.p
        if segment == "lor_intake":
            def intake(rng: np.random.Generator) -> tuple[Part, ...]:
                path: list[Part] = []
                for _ in range(1000):  # the loop ends with probability 1 - p_incomplete each round
                    u = rng.random(3)
                    path.append(("lor_intake", INTAKE, p.lor_intake.work.from_uniform(float(u[0]))))
                    if u[1] >= p.lor_intake.p_incomplete:
                        break
                    path.append(("lor_rework", "", p.lor_intake.rework.from_uniform(float(u[2]))))
                return tuple(path)
            return intake
        if segment == "reviews":
            notified, parallel = self._notified(case), self.parallel(case)

            def reviews(rng: np.random.Generator) -> tuple[Part, ...]:
                u = rng.random(4)
                content = p.loa_development.work[case.loa_group].from_uniform(float(u[0]))
                tech = p.tech_release.work.from_uniform(float(u[1])) if case.tech_release else 0.0
                share = p.policy_review.share_of_loa_work
                writing, review = content * (1.0 - share), content * share
                if parallel:  # the writing at its office, then what the longer branch adds
                    path = [("loa_development", WRITING, writing),
                            ("reviews", "", max(tech, writing, review) - writing)]
                else:
                    path = [("tech_release", TECH, tech), ("loa_development", WRITING, writing),
                            ("policy_review", POLICY, review)]
                cr = self.before
                if notified:
                    path.append(("congressional_review", "", period(cr, case.partner_group, float(u[2]),
                                                                    float(u[3]))))
                return tuple(x for x in path if x[2] > 0.0)
            return reviews
        if segment == "offer_acceptance":
            o = p.offer_acceptance
            dist, expiry = ((o.bpc_acceptance, o.bpc_offer_expiry_days) if case.funding == "bpc"
                            else (o.acceptance, o.offer_expiry_days))
            def offer(rng: np.random.Generator) -> tuple[Part, ...]:  # as the offer stage: accepted, or expired
                u = rng.random(2)
                if u[0] >= o.p_expire:
                    return ((segment, "", min(dist.from_uniform(float(u[1])), expiry)),)
                return ((segment, "", expiry), (OFFER_EXPIRES, "", 0.0))
            return offer
        if segment == "contracting":
            c = p.contracting
            work = c.work[case.acquisition]

            def contracting(rng: np.random.Generator) -> tuple[Part, ...]:
                path: list[Part] = []
                share = 1.0
                for _ in range(1000):
                    u = rng.random(3)
                    path.append(("contracting", CONTRACTING, share * work.from_uniform(float(u[0]))))
                    if u[1] >= c.p_requirement_change:
                        break
                    path.append(("requirement_change", "", c.change_delay.from_uniform(float(u[2]))))
                    share = c.change_rework_share
                return tuple(path)
            return contracting
        if segment == "production":
            lead = p.production.lead_time["major_platform" if case.platform else "standard"]
            return lambda rng: ((segment, "", lead.from_uniform(float(rng.random())) * (case.acquisition != "stock")
                                 + p.delivery.work.from_uniform(float(rng.random()))),)
        dist = {"implementation": p.implementation.work, "closure": p.closure.work}[segment]
        return lambda rng: ((segment, "", dist.from_uniform(float(rng.random()))),)

    def left(self, segment: str, case: Case, elapsed: float, u: float) -> tuple[tuple[Part, ...], bool]:
        """The parts of its segment a case that has lasted ``elapsed`` has left (``remaining_path`` with its own
        uniform ``u``), and whether it is notified.  A congressional review under way keeps the rule it began
        under; a case yet to reach it meets ``congress`` (its period drawn from the named stream of the case)."""
        totals, paths = self.samples(segment, case)
        path = remaining_path(totals, paths, elapsed, u)
        notified = self._notified(case)
        under_way = len(path) == 1 and path[0][0] == "congressional_review"
        if segment != "reviews" or self.congress is self.before or under_way:
            return path, notified
        notified = case_notified(self.congress, case)
        path = tuple(x for x in path if x[0] != "congressional_review")
        if notified:
            v = self.streams(f"start_congress:{case.id}").random(2)
            path += (("congressional_review", "", period(self.congress, case.partner_group, float(v[0]),
                                                         float(v[1]))),)
        return path, notified


def _pick_sample(times: np.ndarray, elapsed: float, u: float) -> tuple[int, bool]:
    """The sample a case that has lasted ``elapsed`` goes on with, drawn with ``u`` among those longer than
    ``elapsed``, and whether it starts afresh (past the ``TAIL`` quantile: its work again)."""
    n = len(times)
    first = bisect_right(times.tolist(), elapsed)
    if first > int(math.floor(TAIL * n)):
        return min(n - 1, int(u * n)), True
    return min(n - 1, first + int(u * (n - first))), False


def remaining(times: np.ndarray, elapsed: float, u: float) -> float:
    """Days left in a segment of nominal sorted durations ``times`` that has lasted ``elapsed``: ``T - elapsed``
    given ``T > elapsed`` drawn with ``u``; past the ``TAIL`` quantile, a fresh nominal duration (module)."""
    k, fresh = _pick_sample(times, elapsed, u)
    return float(times[k]) if fresh else float(times[k] - elapsed)


def remaining_path(times: np.ndarray, paths: list[tuple[Part, ...]], elapsed: float, u: float) -> tuple[Part, ...]:
    """The parts left of the sample ``remaining`` picks: the part under way at ``elapsed`` cut to what is left of
    it, then the later ones whole (the whole path when it starts afresh)."""
    k, fresh = _pick_sample(times, elapsed, u)
    if fresh:
        return paths[k]
    out: list[Part] = []
    before = 0.0
    for stage, pool, days in paths[k]:
        end = before + days
        if end > elapsed:
            out.append((stage, pool, end - max(before, elapsed)))
        before = end
    return tuple(out)
