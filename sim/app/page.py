"""The what-if page (Streamlit): pick reforms, strength, date and headcounts; see a screening estimate at once, then
confirm it by a paired simulation in the background.

Run by ``python -m sim serve`` (``sim.app.launch``: ``streamlit run`` on this file, ``-- --study DIR`` to fit to a
break-even multirun instead of the committed findings page).  Streamlit runs this script again on every change of a
control; the running confirmation is kept in the session (``sim.app.confirm``) and its progress redrawn every
second by a fragment, so the rest of the page stays responsive.  The numbers come from ``sim.app.screening`` (the
estimate) and ``sim.app.worker`` (the confirmation); this module only lays them out.
"""
from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any, Optional

import streamlit as st

from sim.app.choices import QUICK_SETTLE, SETTLED_YEARS, Choice, effective_fiscal_year
from sim.app.confirm import Confirmation
from sim.app.paths import MEASURES, OFFICES
from sim.app.screening import FITTED, FORMULA, Estimate, screen
from sim.app.study_table import Study, StudyError, load_study
from sim.config import CONFIG_DIR, load_params
from sim.model.params import Params

NAMES = {"lor_to_offer": "LOR to offer", "lor_to_contract": "LOR to contract", "lor_to_delivery": "LOR to delivery"}
OFFICE_NAMES = {"case_managers": "Case managers", "tech_reviewers": "Technology reviewers",
                "case_writers": "Case writers", "policy_reviewers": "Policy reviewers",
                "contracting_officers": "Contracting officers"}
_COMPOSE = threading.Lock()  # Hydra's global state: one composition at a time in this server


@st.cache_resource
def baseline() -> Params:
    with _COMPOSE:
        return load_params()


@st.cache_resource
def stored_study(folder: Optional[str]) -> tuple[Optional[Study], str]:
    """The strength sweep the reform estimate is fitted to, or None and why."""
    try:
        study = load_study(Path(folder) if folder else None)
    except StudyError as e:
        return None, str(e)
    return study, "" if study is not None else "no stored strength sweep here (docs/findings/breakeven.md)"


@st.cache_resource
def reforms() -> dict[str, str]:
    """Each reform of configs/reform/ and the first line of its description."""
    out = {}
    for path in sorted((CONFIG_DIR / "reform").glob("*.yaml")):
        if path.stem != "none":
            lines = [ln[1:].strip() for ln in path.read_text().splitlines()
                     if ln.startswith("#") and "@package" not in ln]
            out[path.stem] = lines[0] if lines else ""
    return out


def days(x: Optional[float]) -> str:
    return "-" if x is None else f"{x:+.1f}"


def controls(params: Params) -> Choice:
    picked = st.multiselect("Reforms", list(reforms()), key="reforms",
                            help="configs/reform/: several act together (their levers combine)")
    for name in picked:
        st.caption(f"**{name}**: {reforms()[name]}")
    strength = st.slider("Strength (reform.strength)", 0.0, 1.0, 1.0, 0.05, key="strength",
                         help="share of the way from no change to each lever's size at the lever sizes below")
    assume = st.selectbox("Lever sizes (reform.assume)", ["high", "likely", "low"], key="assume",
                          help="the break-even study measured 'high': strength then spans each lever's whole range")
    run = params.run

    def dated(n: int) -> str:
        settled = ": settled, as the studies" if n == SETTLED_YEARS else ""
        fy = effective_fiscal_year(run.start_fiscal_year, run.warmup_years, n)
        return f"FY{fy} ({n} years before the cohort's first LOR{settled})"

    years = st.selectbox(
        "Effective date", list(range(1, int(run.warmup_years))), index=SETTLED_YEARS - 1, key="effective",
        format_func=dated,
        help="the baseline's calendar: the cohort is the LORs of FY2016 to FY2020; the confirmation starts the "
             "scenario from the cached state of that date (run.settle_years) and enacts the reform then")
    st.markdown("**Office headcounts** (people, throughout the run)")
    heads = {}
    for office in OFFICES:
        base = params.staffing.pools[office].headcount
        heads[office] = int(st.number_input(OFFICE_NAMES[office], 1, 10 * base, base, 1, key=f"heads_{office}"))
    st.markdown("**Confirmation**")
    reps = int(st.number_input("Replications", 2, 20, 3, 1, key="replications",
                               help="pairs of runs (reference and scenario, replication r of each with the same seed)"))
    quick = st.checkbox("Quick smoke test (seconds; not for conclusions)", key="quick",
                        help="a half-year cohort after a half-year warm-up: checks that it runs, nothing more")
    changed = {o: n for o, n in heads.items() if n != params.staffing.pools[o].headcount}
    return Choice(tuple(picked), float(strength), str(assume), changed, int(years), reps, bool(quick))


def estimate_table(estimates: list[Estimate]) -> str:
    rows = ["| lead time | estimated change (days) | cross-validated error | how |", "|---|---|---|---|"]
    for e in estimates:
        err = "-" if e.error is None else f"± {e.error:.1f}"
        how = e.note if e.days is None else f"{e.method}: {e.note}"
        rows.append(f"| {NAMES[e.measure]} | {'no estimate' if e.days is None else days(e.days)} | {err} | {how} |")
    return "\n".join(rows)


def result_table(result: dict[str, Any], estimates: list[Estimate]) -> str:
    rows = ["| lead time | simulated change (days) | 95% interval | pairs | reference mean | screening estimate |",
            "|---|---|---|---|---|---|"]
    by = {e.measure: e for e in estimates}
    for m in MEASURES:
        r = result["measures"][m]
        lo, hi = r.get("diff_ci_low"), r.get("diff_ci_high")
        ci = "-" if lo is None or hi is None else f"[{days(lo)}, {days(hi)}]"
        ref = r.get("reference_mean")
        rows.append(f"| {NAMES[m]} | {days(r.get('diff_mean'))} | {ci} | {int(r.get('diff_n') or 0)} | "
                    f"{'-' if ref is None else f'{ref:.1f}'} | {days(by[m].days) if m in by else '-'} |")
    return "\n".join(rows)


def explain(study: Optional[Study], why_no_study: str) -> None:
    source = (", ".join(x for x in (study.source, f"reform.assume={study.assume}", study.settings) if x)
              if study is not None else why_no_study)
    st.caption(
        "**The screening estimate is not a simulation.** Headcounts: the " + FORMULA + " the offices follow (each "
        "person a processor-sharing desk whose productivity falls with the juggling cost above the caseload: the "
        "steady state of that feedback), used only where it holds (pure desks, load below 1, steady staff, a "
        "steady state, rarely at the cap; within about 10% of simulated changes). A reform: a monotone "
        "curve " + FITTED + f" ({source}), with its leave-one-out cross-validated error, only inside the strengths "
        "and lever sizes it measured. Either way it is the **settled effect: it ignores the effective date**, which "
        "only the confirmation simulates; a reform with a headcount change, or several reforms, get no estimate.")
    if study is not None and study.status.lower().startswith("stale"):
        st.warning(f"The stored study the reform estimate is fitted to is {study.status[0].lower()}"
                   f"{study.status[1:]}")


def confirmation(choice: Choice) -> None:
    """The button, and the running confirmation's progress or why it ended without a result."""
    job: Optional[Confirmation] = st.session_state.get("job")
    something = bool(choice.reforms and choice.strength > 0) or bool(choice.headcounts)
    if st.button("Confirm by simulation", type="primary", disabled=not something, key="confirm",
                 help="the reference and the scenario, paired, from their cached start states"):
        if job is not None:
            job.close()
        job = st.session_state["job"] = Confirmation(choice)
    if job is None:
        return
    if job.choice.key() != choice.key():
        st.info("The last confirmation was for other settings" + (" (still running)" if job.running() else "")
                + ": press Confirm for these.")
    elif job.running():
        progress_panel()
    elif job.error() is not None:
        st.error(f"The confirmation failed: {job.error()}")


def confirmed(choice: Choice) -> Optional[tuple[Confirmation, dict[str, Any]]]:
    """The finished confirmation of exactly these settings, and its result."""
    job: Optional[Confirmation] = st.session_state.get("job")
    if job is None or job.choice.key() != choice.key():
        return None
    result = job.result()
    return None if result is None else (job, result)


@st.fragment(run_every=1.0)
def progress_panel() -> None:
    job: Optional[Confirmation] = st.session_state.get("job")
    if job is None:
        return
    if not job.running():
        st.rerun(scope="app")  # the result replaces the estimate: redraw the whole page
    p = job.progress()
    left = p.left()
    st.progress(p.done / max(1, p.total),
                text=f"Simulating: {p.done} of {p.total} replications done (now: {p.running}); "
                     f"{p.seconds:.0f} s so far" + ("" if left is None else f", about {left:.0f} s left"))
    if st.button("Stop", key="stop"):
        job.stop()
        st.rerun(scope="app")


def show_result(job: Confirmation, result: dict[str, Any], estimates: list[Estimate]) -> None:
    st.subheader("Confirmed by simulation")
    st.markdown(result_table(result, estimates))
    c = job.choice
    frame = (f"quick frame: the reform enacted {QUICK_SETTLE:g} years before a half-year cohort" if c.quick else
             f"each run from its cached start state, the reform enacted {c.years_before_cohort} years before the "
             f"cohort (run.settle_years={c.years_before_cohort})")
    st.markdown(f"Paired against the reference (reform=none at the baseline headcounts): seed {result['seed']}, "
                f"replications {result['replications']} of each ({int(result['measures'][MEASURES[0]]['diff_n'] or 0)} "
                f"pairs), 95% Student-t intervals of the per-replication differences; {frame}; "
                f"{result['seconds']:.0f} s.")
    with st.expander("The two runs' overrides"):
        st.code("reference: " + " ".join(result["reference"]) + "\nscenario:  " + " ".join(result["scenario"]))


def office_readings(changes: dict[str, Any]) -> None:
    if not changes:
        return
    with st.expander("The formula, office by office"):
        rows = ["| office | people | load | stretch of hands-on work | holds? |", "|---|---|---|---|---|"]
        for c in changes.values():
            stretch = "-" if c.stretch_change is None else f"{c.stretch_change:+.3f}"
            rows.append(f"| {OFFICE_NAMES[c.office]} | {c.before} -> {c.after} | {c.load_before:.3f} -> "
                        f"{c.load_after:.3f} | {stretch} | {'yes' if c.stretch_change is not None else c.why} |")
        st.markdown("\n".join(rows))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="sim.app.page")
    parser.add_argument("--study", default=None)
    args, _ = parser.parse_known_args(argv)
    st.set_page_config(page_title="fms-sim what-if", layout="wide")
    st.title("What if? Reforms and headcounts against the baseline")
    params = baseline()
    study, why = stored_study(args.study)
    left, right = st.columns([1, 2], gap="large")
    with left:
        choice = controls(params)
    with right:
        estimates, changes = screen(params, choice, study)
        done = confirmed(choice)
        if done is not None:  # the simulation replaces the estimate
            show_result(*done, estimates)
        else:
            st.subheader("Screening estimate")
            st.markdown(estimate_table(estimates))
        confirmation(choice)
        explain(study, why)
        office_readings(changes)

if __name__ == "__main__":  # streamlit runs this file as the main script
    main(sys.argv[1:])
