"""A scenario checked once and resolved: what a replication simulates.

``resolve(params)`` validates the parameters (every rule of ``sim.model.checks``, once), then applies what decides
the scenario in one place (``sim.model.enactment.enact`` and ``sim.model.reform.apply``: the reforms' levers and
their date and strength, ``staffing.effort_share`` and
``size_to_load``, ``staffing.scale`` and the reforms' staff factors with one rounding rule).  The result is a frozen
:class:`Scenario`: the parameters as given, the resolved ones (both read-only all the way down,
``sim.model.frozen``), the policy switches the stages consult and each office's effective headcount.
``sim.runner.simulate`` takes one (or resolves ``Params`` itself), and
``run_replications`` resolves once for all its replications and worker processes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Mapping, Optional

from sim.engine.clock import years
from sim.model.checks import validate_params
from sim.model.enactment import Epoch, enact
from sim.model.frozen import freeze, thaw
from sim.model.levers import ReformParams
from sim.model.params import Params
from sim.model.reform import Policy, apply
from sim.model.uncertainty import at_point

RESOLVED = "_resolved_scenario"  # marks a scenario's resolved parameters


class InvalidParams(ValueError):
    """Parameters that break a rule of ``sim.model.checks``: ``problems`` lists every broken rule, one line each (the
    config bridge reports the first of them, the library all)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"invalid parameters ({len(problems)} problem(s)): " + "; ".join(problems))
        self.problems = problems


class Headcounts(Mapping[str, int]):
    """Each office's headcount in the run: read-only, and picklable for worker processes (a mappingproxy is not)."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self._items = tuple(counts.items())

    def __getitem__(self, name: str) -> int:
        return dict(self._items)[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headcounts({dict(self._items)})"


@dataclass(frozen=True)
class Scenario:
    """A checked scenario, resolved (make one with :func:`resolve`)."""

    given: Params  # as the caller gave them (labels, records, run control)
    params: Params  # resolved: reforms, sizing and staffing multipliers applied
    policy: Policy  # the reforms' behavioural switches
    headcounts: Mapping[str, int]  # each office's people (slots for a slot pool) at the start of the run
    epochs: tuple[Epoch, ...] = ()  # when a dated, partial or phased reform changes what the stages see (enactment)
    # run.settle_years: the scenario without its reform, whose state on ``start_day`` each replication starts from
    # (its reform enacted that day: sim.state_cache)
    prestart: Optional["Scenario"] = None
    start_day: float = 0.0

    @property
    def seed(self) -> int:
        return self.given.seed


def settle_start(params: Params) -> Optional[float]:
    """With ``run.settle_years``: the year the scenario starts from its cached state and its reform is enacted,
    ``settle_years`` before the warm-up ends; a reform that changes nothing (the reference, ``none``) needs no
    settling and starts at the warm-up's end (its run from there is, bit for bit, the run that never stopped).
    None without it."""
    settle = params.run.settle_years
    if settle is None:
        return None
    (p0, pol0), (p1, pol1) = apply(params, 0.0), apply(params, 1.0)
    neutral = p0 == p1 and replace(pol0, uptake=1.0) == replace(pol1, uptake=1.0)  # uptake: of no switch then
    return float(params.run.warmup_years - (0.0 if neutral else settle))


def resolve(params: Params) -> Scenario:
    """``params`` checked (:class:`InvalidParams`, a ValueError naming every problem) and resolved."""
    if isinstance(params, Scenario):
        return params
    if getattr(params, "__dict__", {}).get(RESOLVED):  # its reforms and multipliers would act twice
        raise ValueError("resolve: these parameters are a scenario's resolved ones (scenario.params), whose reforms "
                         "and staffing multipliers are applied; allowed: parameters as given (scenario.given, or "
                         "an editable copy of it: sim.model.frozen.thaw(scenario.given))")
    params = thaw(params)  # an editable copy, even of frozen parameters: the checks and reforms work on copies
    problems = validate_params(params)
    if problems:
        raise InvalidParams(problems)
    given = freeze(params)  # read-only: the caller may go on editing theirs, this stays as it was checked
    if params.uncertainty.point is not None:  # each ranged input at the point's draw; the draws checked as given
        params = at_point(params)
        problems = validate_params(params)
        if problems:
            raise InvalidParams([f"at uncertainty.point={params.uncertainty.point}: {p}" for p in problems])
    prestart, start_day = None, 0.0
    settled = settle_start(params)
    if settled is not None:  # the reform is enacted settle_years before the warm-up ends, from the state without it
        before = thaw(params)
        before.reform, before.run.settle_years = ReformParams(), None
        prestart = resolve(before)
        params.reform.effective = settled
        start_day = years(settled)
    applied, policy, epochs = enact(params)
    vars(applied)[RESOLVED] = True  # not a field: invisible to ==, asdict and the checks; kept by copies
    headcounts = Headcounts({name: staff.headcount for name, staff in applied.staffing.pools.items()})
    return Scenario(given, freeze(applied), policy, headcounts, epochs, prestart, start_day)
