"""One simulation per seed on every x86-64 CPU (issue 20).

Static: the simulation code (``sim/engine``, ``sim/model``, ``sim/verification``, ``sim/config.py``) calls no
function whose bits depend on the host's CPU: numpy's transcendental ufuncs (SIMD code picked by CPU), BLAS
products (kernels picked by CPU), the C library's exp/log/pow/trig behind ``math`` and ``**`` (glibc picks an FMA
variant by CPU), SciPy, the ``random`` and ``statistics`` modules and numpy's random distributions (all call the C
library).  numpy and math names are allowed from a list of exact ones; every exception is listed with its reason.
``sim.engine.portable_math`` provides the functions the model needs from correctly rounded basic operations.
Dynamic: the golden runs and a run through every exp and log of the model give the same results on this host and
with numpy's SIMD above its baseline, glibc's FMA/AVX2 code and OpenBLAS's newer kernels switched off.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import dispatched_simd

ROOT = Path(__file__).resolve().parents[2]
# the simulation, and the code that sets up its parameters and its verification runs
SIMULATION = [ROOT / "sim" / name for name in ("engine", "model", "verification", "config.py")]

# numpy and math names whose results are the same bits on every CPU (exact or correctly rounded operations, integer
# and bit work, types): anything else from these modules is refused until it is shown to be exact and added here
ALLOWED = {
    "numpy": {"asarray", "array", "append", "arange", "clip", "empty", "full", "zeros", "ones", "frombuffer", "where",
              "any", "all", "diff", "searchsorted", "concatenate", "cumsum", "sort", "argsort", "unique", "isnan",
              "isfinite", "sqrt", "floor", "ceil", "minimum", "maximum", "nan", "inf", "float64", "int64", "int32",
              "int8", "bool_", "ndarray", "generic", "integer", "floating", "dtype", "random", "random.default_rng",
              "random.SeedSequence", "random.Generator"},
    "math": {"sqrt", "floor", "ceil", "frexp", "ldexp", "isfinite", "isinf", "isnan", "inf", "nan", "fsum", "prod",
             "copysign", "fabs", "trunc", "isclose", "ulp", "nextafter", "isqrt", "pi", "e"},
}
TYPES_ONLY = ("numpy.typing",)
# modules whose functions call the C library's libm, BLAS or LAPACK (or a SIMD path picked by CPU) throughout
FORBIDDEN_MODULES = ("scipy", "random", "statistics", "cmath", "numpy.linalg", "numpy.fft", "numpy.polynomial",
                     "numexpr", "pandas")
# numpy Generator and RandomState methods that call libm (exp, log, pow) inside: refused on any object
DISTRIBUTIONS = {
    "exponential", "standard_exponential", "normal", "standard_normal", "lognormal", "gamma", "standard_gamma",
    "beta", "poisson", "binomial", "negative_binomial", "weibull", "pareto", "gumbel", "logistic", "laplace",
    "chisquare", "standard_t", "standard_cauchy", "vonmises", "wald", "rayleigh", "geometric", "hypergeometric",
    "logseries", "zipf", "multivariate_normal", "dirichlet", "noncentral_f", "noncentral_chisquare", "power",
    "multinomial", "multivariate_hypergeometric", "f", "expovariate", "gauss", "normalvariate", "lognormvariate",
}
PRODUCTS = {"dot", "vdot", "matmul", "tensordot", "einsum", "vecdot", "matvec", "vecmat"}  # BLAS kernels by CPU
POWER = {"__pow__", "__rpow__", "__ipow__", "pow", "ipow", "float_power", "power"}  # libm's pow
# (file relative to the project, text of the finding) -> why it is allowed there
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("sim/verification/networks.py", "numpy.polyfit"):
        "fits a line through finished runs' results to report a trend; no simulated time or draw depends on it",
    ("sim/verification/table.py", "numpy.mean"):
        "averages finished replications' results for a verification table; pairwise sums are exact-order in numpy",
}


def _int_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _forbidden_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES)


def _allowed(dotted: str) -> bool:
    """Whether ``numpy.x.y`` / ``math.x`` is on the list of CPU-independent names."""
    if dotted.startswith(TYPES_ONLY):
        return True
    root, _, rest = dotted.partition(".")
    return root not in ALLOWED or rest in ALLOWED[root]


def violations(source: str, filename: str = "<planted>") -> list[str]:
    """Every CPU-dependent path in ``source``, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    aliases: dict[str, str] = {}  # local name -> the numpy or math module (or submodule) it stands for
    found: list[tuple[int, str]] = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if _forbidden_module(a.name):
                    found.append((node.lineno, f"import {a.name} (its functions use libm, BLAS or CPU-picked SIMD)"))
                elif a.name.split(".")[0] in ALLOWED:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                dotted = f"{node.module}.{a.name}"
                if a.name == "*":
                    found.append((node.lineno, f"from {node.module} import * (names that cannot be checked)"))
                elif _forbidden_module(node.module) or _forbidden_module(dotted):
                    found.append((node.lineno, f"from {node.module} import {a.name} (libm, BLAS or CPU-picked SIMD)"))
                elif node.module.split(".")[0] in ALLOWED and not _allowed(dotted):
                    found.append((node.lineno, f"{dotted} (not on the list of CPU-independent names)"))
                elif node.module == "operator" and a.name in POWER:
                    found.append((node.lineno, f"operator.{a.name} (libm's pow)"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and not isinstance(parents.get(node), ast.Attribute):
            chain, base = [node.attr], node.value  # the whole dotted name, read from its outermost attribute
            while isinstance(base, ast.Attribute):
                chain.insert(0, base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                dotted = ".".join([aliases[base.id], *chain])
                if not _allowed(dotted):
                    found.append((node.lineno, f"{dotted} (not on the list of CPU-independent names)"))
            elif isinstance(base, ast.Name) and base.id == "operator" and node.attr in POWER:
                found.append((node.lineno, f"operator.{node.attr} (libm's pow)"))
        if isinstance(node, ast.Attribute) and node.attr in POWER - {"pow", "power"}:
            found.append((node.lineno, f".{node.attr} (libm's pow)"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in DISTRIBUTIONS:
                found.append((node.lineno, f".{node.func.attr}() (a random distribution that calls libm)"))
            elif node.func.attr in PRODUCTS:
                found.append((node.lineno, f".{node.func.attr}() (an array product runs BLAS kernels picked by CPU)"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sum":
            found.append((node.lineno, f"{ast.unparse(node)[:60]} (Python 3.12's sum() of floats rounds otherwise than "
                                       "3.11's: use portable_math.plain_sum)"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("pow", "getattr"):
            target = node.args[0] if node.args else None
            if node.func.id == "pow" or (isinstance(target, ast.Name) and target.id in aliases):
                found.append((node.lineno, f"{ast.unparse(node)} (libm's pow, or a name the scan cannot check)"))
        elif isinstance(node, ast.Name) and node.id in aliases and not isinstance(parents.get(node), ast.Attribute):
            if not isinstance(parents.get(node), (ast.Import, ast.ImportFrom)):
                found.append((node.lineno, f"{node.id} used as a value (a module alias the scan cannot follow)"))
        elif isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.Pow):
            if not (isinstance(node, ast.BinOp) and _int_constant(node.left) and _int_constant(node.right)):
                found.append((node.lineno, f"{ast.unparse(node)} (float ** calls libm's pow)"))
        elif isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.MatMult):
            found.append((node.lineno, f"{ast.unparse(node)} (@ runs BLAS kernels picked by CPU)"))
    return [f"{filename}:{line}: {what}" for line, what in sorted(set(found))]


def simulation_files() -> list[Path]:
    return sorted(p for d in SIMULATION for p in ([d] if d.is_file() else d.rglob("*.py")))


def test_simulation_code_has_no_cpu_dependent_path():
    problems = []
    for path in simulation_files():
        rel = path.relative_to(ROOT).as_posix()
        problems += [v for v in violations(path.read_text(), rel)
                     if not any(rel == f and text in v for (f, text) in EXCEPTIONS)]
    assert len(simulation_files()) > 40  # the scan sees the simulation code
    used = {(f, t) for (f, t) in EXCEPTIONS for p in simulation_files() if p.relative_to(ROOT).as_posix() == f
            for v in violations(p.read_text(), f) if t in v}
    assert used == set(EXCEPTIONS), f"exceptions no longer needed: {set(EXCEPTIONS) - used}"
    assert not problems, "CPU-dependent arithmetic in the simulation code (use sim.engine.portable_math):\n" + \
        "\n".join(problems)


PLANTED = [
    "import numpy as np\nx = np.log(u)",
    "import numpy\nx = -numpy.exp(u) * 2",
    "import numpy as np\nx = np.log.reduce(u)",
    "import numpy as np\nx = np.random.normal(0, 1)",
    "import numpy as np\nx = np.random.exponential(1.0)",
    "import numpy as np\nx = np.logspace(0, 1, 5)",
    "import numpy as np\nx = np.polyfit(a, b, 1)",
    "import numpy as np\nx = np.vecdot(a, b)",
    "import numpy as np\nx = np.__dict__['exp'](u)",
    "import numpy as np\nf = getattr(np, 'log')",
    "import numpy as np\nxp = np\nx = xp.log(u)",
    "import numpy.random as npr\nx = npr.standard_normal()",
    "from numpy.random import exponential\n",
    "from numpy import power\n",
    "from numpy import linalg\n",
    "import numpy.linalg as la\n",
    "from numpy import *\n",
    "from math import *\n",
    "import math\nx = math.log(u)",
    "import math as m\nx = m.exp(u)",
    "from math import exp\n",
    "import random\nx = random.expovariate(2.0)",
    "import statistics\nx = statistics.NormalDist().inv_cdf(u)",
    "import operator\nx = operator.pow(u, 0.5)",
    "from operator import pow\n",
    "import pandas as pd\n",
    "x = u ** 0.5",
    "x = u ** 2",
    "x **= 2",
    "x = u.__pow__(0.5)",
    "x = pow(u, 3)",
    "x = a @ b",
    "x = a.dot(b)",
    "x = rng.exponential(2.0, 10)",
    "x = rng.normal()",
    "x = rng.power(3.0)",
    "from scipy.special import ndtri\n",
    "import scipy.stats\n",
]


@pytest.mark.parametrize("planted", PLANTED, ids=[p.split("\n")[-1] or p.split("\n")[0] for p in PLANTED])
def test_a_planted_cpu_dependent_call_is_found(planted):
    assert violations(planted), planted


@pytest.mark.parametrize("allowed", [
    "import math\nx = math.sqrt(u) + math.floor(u) + math.frexp(u)[0] + math.ldexp(u, 2) + math.fsum([u])",
    "import numpy as np\nx = np.cumsum(np.clip(rng.random(8), 1e-12, 1)) * 2 + np.sqrt(u)",
    "import numpy as np\nrng = np.random.default_rng(np.random.SeedSequence([1, 2]))\nx = rng.integers(0, 9)",
    "import numpy.typing as npt\nimport numpy as np\nx: npt.NDArray[np.float64]",
    "from sim.engine.portable_math import exp, log\nx = exp(log(u))",
    "MEMORY = 12 * 2**30",
    "x = params.gamma + staff.beta",  # a field named like a distribution, not called
], ids=["math", "numpy", "streams", "types", "portable", "int power", "fields"])
def test_exact_operations_are_allowed(allowed):
    assert violations(allowed) == []


def test_planting_np_log_in_a_simulation_module_is_caught():
    """The scan reads the real file: the document plan with numpy's log put back at its call site (the path issue
    20 found)."""
    path = ROOT / "sim" / "model" / "document_plan.py"
    source = path.read_text()
    assert violations(source) == []
    site = "run += -log(u) * mean_gap"
    assert source.count(site) == 1, "the document plan's log call moved: update this test"
    planted = source.replace(site, "run += -float(np.log(u)) * mean_gap").replace(
        "import math\n", "import math\n\nimport numpy as np\n", 1)
    assert [v.split(": ", 1)[1] for v in violations(planted, "sim/model/document_plan.py")] == [
        "numpy.log (not on the list of CPU-independent names)"]


def _older_cpu_env(**extra: str) -> dict[str, str]:
    """This host's environment with numpy's SIMD levels above the baseline, glibc's AVX2/FMA code and OpenBLAS's
    newer kernels switched off: the code paths a CPU without AVX-512, AVX2 or FMA takes.  Hash seeds differ too."""
    env = {k: v for k, v in os.environ.items() if k not in ("NPY_DISABLE_CPU_FEATURES", "GLIBC_TUNABLES")}
    env.update(NPY_DISABLE_CPU_FEATURES=" ".join(dispatched_simd(env)), OPENBLAS_CORETYPE="Nehalem",
               GLIBC_TUNABLES="glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F,-AVX512DQ,-AVX512VL", PYTHONHASHSEED="12345",
               PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), str(ROOT)]), **extra)
    return env


CANARY = "import math; print(math.log(0.7370898480096619).hex())"  # glibc 2.36: FMA and plain code differ here
RICH = ["debug=tiny", "run.jobs=1", "run.records=cases", "run.horizon_years=1.5", "demand.growth_per_year=0.07",
        "demand.shocks=[{start_year: 1, ramp_years: 0.5, multiplier: 1.4}]",
        "+staffing.plans.case_writers={attrition_per_year: 0.15, backfill: true, ramp_years: 1}",
        "+staffing.plans.tech_reviewers={attrition_per_year: 0.1, hires: [{year: 1, headcount: 3}]}",
        "reform=tiger_team_package"]
CHILD = ("import json, sys; from golden.regenerate import GOLDEN, GOLDEN_PORTFOLIO, OVERRIDES, OVERRIDES_PORTFOLIO, "
         "kpis, history; from sim.config import compose_config, to_params; from sim.runner import run_replications; "
         "rich = json.loads(sys.argv[1]); "
         "out = {'slots': kpis(OVERRIDES), 'portfolio': kpis(OVERRIDES_PORTFOLIO), "
         "'rich': history(run_replications(to_params(compose_config(rich))))}; print(json.dumps(out))")


@pytest.mark.slow
def test_the_golden_runs_are_the_same_on_an_emulated_older_cpu(tmp_path):
    """Both golden runs (every KPI and the history digests) and a run that uses every exp and log of the model
    (growth, a demand shock, attrition with a ramp, a reform), on this host and with the host's newer SIMD, FMA and
    BLAS code switched off.  (Before issue 20 the digests differed: numpy's AVX-512 log and glibc's FMA
    exp/log/log1p changed the simulation.)"""
    env = _older_cpu_env()
    still_on = dispatched_simd(env)
    assert still_on == [], f"numpy still dispatches to {still_on}"
    fma = {"fma", "avx2"} <= set(Path("/proc/cpuinfo").read_text().split()) if Path("/proc/cpuinfo").exists() else 0
    native = subprocess.run([sys.executable, "-c", CANARY], capture_output=True, text=True, check=True).stdout
    masked = subprocess.run([sys.executable, "-c", CANARY], env=env, capture_output=True, text=True,
                            check=True).stdout
    if fma and native == masked:
        pytest.fail("GLIBC_TUNABLES did not switch glibc's libm off its FMA code: the emulation would prove nothing")
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(RICH)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    from golden.regenerate import GOLDEN, GOLDEN_PORTFOLIO, history
    from sim.config import compose_config, to_params
    from sim.runner import run_replications

    assert got["slots"] == json.loads(GOLDEN.read_text())
    assert got["portfolio"] == json.loads(GOLDEN_PORTFOLIO.read_text())
    assert got["rich"] == history(run_replications(to_params(compose_config(RICH))))
