"""Every config option composes and validates; every default names its source and tag."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.config import CONFIG_DIR, ConfigError, compose_config, to_params
from sim.model.checks import validate_params as validate

GROUPS = ["demand", "process", "staffing", "reform", "debug"]
OPTIONS = [(g, p.stem) for g in GROUPS for p in sorted((CONFIG_DIR / g).glob("*.yaml"))]
TAG = re.compile(r"\[(STATUTE|TARGET|MEASURED|REPORTED|UNVERIFIED|ESTIMATE|MODEL)\b")  # MODEL: a numerical setting
SOURCED = ["demand", "process", "staffing"]


@pytest.mark.parametrize("group, option", OPTIONS)
def test_every_group_option_composes_and_validates(group, option):
    params = to_params(compose_config([f"{group}={option}"]))
    assert validate(params) == []


def test_baseline_is_the_default(baseline_params):
    assert list(baseline_params.reform.levers) == ["none"]
    assert baseline_params.demand.lor_per_year == 2000
    assert baseline_params.run.records == "cases"


def _untagged_leaves(text: str) -> list[str]:
    """Leaf lines (key: value) with no tag inline, in the comment block above them (which covers the
    following lines until a blank line or another comment block), or above a parent key."""
    parents: dict[int, bool] = {}  # indent -> a tag is in force for keys nested under this indent
    block = False  # the current comment block carries a tag
    in_comment = False
    bad = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            block = in_comment = False
            continue
        if stripped.startswith("#"):
            if not in_comment:
                block = False
            in_comment = True
            block = block or bool(TAG.search(stripped))
            continue
        in_comment = False
        indent = len(line) - len(line.lstrip())
        parents = {i: t for i, t in parents.items() if i < indent}
        tagged = block or bool(TAG.search(line)) or any(parents.values())
        value = stripped.partition(":")[2].split("#")[0].strip()
        if value and not tagged:
            bad.append(line)
        parents[indent] = tagged
    return bad


@pytest.mark.parametrize("path", [p for g in SOURCED for p in sorted((CONFIG_DIR / g).glob("*.yaml"))],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_default_names_its_tag(path: Path):
    assert _untagged_leaves(path.read_text()) == []


def test_tag_checker_catches_an_untagged_value():
    assert _untagged_leaves("a: 1\n# [ESTIMATE] x\nb: 2\n") == ["a: 1"]
    assert _untagged_leaves("# [STATUTE] src\nblock:\n  x: 1\n  y: 2\n\nother: 3\n") == ["other: 3"]
    assert _untagged_leaves("# [STATUTE] src\na: 1\n# no tag here\nb: 2\n") == ["b: 2"]


@pytest.mark.parametrize("override, needle", [
    ("run.replicatons=3", "run.replicatons"),
    ("staffing.pools.case_writers.headcount=-3", "staffing.pools.case_writers.headcount=-3"),
    ("process.offer_acceptance.p_expire=1.5", "process.offer_acceptance.p_expire=1.5"),
    ("process.lor_intake.p_incomplete=-0.1", "process.lor_intake.p_incomplete"),
    ("run.records=all", "run.records='all'; allowed: full, cases, summary"),
    ("run.replications=abc", "run.replications"),
    ("reform=nonexistent", "allowed: contracting_standards, dscs_workforce"),
    ("+run.foo=1", "run.foo: not a parameter"),
    ("process.loa_development.work.A.kind=gamma", "process.loa_development.work.A.kind='gamma'"),
    ("demand.groups.A.share=0.6", "shares must sum to 1"),
    ("run.warmup_years=20", "run.warmup_years=20"),
])
def test_bad_values_name_the_key(override, needle):
    with pytest.raises(ConfigError) as e:
        to_params(compose_config([override]))
    msg = str(e.value)
    assert needle in msg
    assert "\n" not in msg
