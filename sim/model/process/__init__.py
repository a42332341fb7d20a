"""The FMS process stages, one module each, chained by ``case_flow``.

``BANKS`` lists, per stage, how many visits and uniform slots per visit are pre-drawn for
each case (see ``sim.engine.rng.DrawBank``); a stage draws only from its own bank.
"""
from __future__ import annotations

BANKS: dict[str, tuple[int, int]] = {
    "lor_intake": (4, 3),  # per visit: work, incomplete?, partner rework delay
    "tech_release": (1, 1),  # work
    "loa_development": (4, 1),  # visit 0: work content; later visits: restatement work
    "congressional_review": (1, 2),  # hold?, hold length
    "offer_acceptance": (4, 3),  # expire?, acceptance time, restate or withdraw
    "implementation": (1, 1),
    "contracting": (4, 3),  # per visit: work, requirement change?, partner change delay
    "production": (1, 1),  # lead time
    "delivery": (1, 1),
    "closure": (1, 1),
    # per document seq - 1: gap before it (the plan), value added, enhancement?, work, acceptance, hold?, hold length
    "amendment": (16, 7),
    "modification": (24, 3),  # per document seq - 1: gap before it (the plan), work, value added
    "reform_uptake": (1, 2),  # whether a partly enacted switch reaches the case: priority list, parallel reviews
}
UPTAKE = "reform_uptake"  # drawn only when a reform acts in part (sim.model.enactment)

# stage labels that appear in visit records, in process order (for tables and figures)
STAGES: tuple[str, ...] = (
    "lor_intake", "lor_rework", "tech_release", "loa_development", "policy_review",
    "congressional_review", "offer_acceptance", "restatement", "implementation", "contracting",
    "requirement_change", "production_line", "production", "delivery", "closure",
    "amendment_writing", "amendment_review", "amendment_notification", "amendment_acceptance",
    "modification_writing",
)
# stages after delivery and of documents: a cohort case's visits to them may end after the run ends (it ends when
# the cohort is delivered or withdrawn), so they are measured over the visits of all cases that ended in
# [warm-up, horizon) instead (in a steady state, the same per-case figure)
WINDOWED_STAGES: frozenset[str] = frozenset(("closure", "amendment_writing", "amendment_review",
                                             "amendment_notification", "amendment_acceptance",
                                             "modification_writing"))
