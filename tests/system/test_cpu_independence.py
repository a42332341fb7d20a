"""One simulation per seed on every x86-64 CPU (issue 20).

Static: the simulation code (``sim/engine``, ``sim/model``) calls no function whose bits depend on the host's CPU:
numpy's transcendental ufuncs (SIMD code picked by CPU), BLAS products (kernels picked by CPU), the C library's
exp/log/pow/trig behind ``math`` and ``**`` (glibc picks an FMA variant by CPU), SciPy's special functions and
numpy's Generator distributions (both call the C library).  ``sim.engine.portable_math`` provides the functions
the model needs from correctly rounded basic operations.  Dynamic: the golden run, on this host and again with
numpy's SIMD levels above the baseline and glibc's FMA/AVX2 code switched off (an older CPU, emulated), gives the
same history digest.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIMULATION = [ROOT / "sim" / "engine", ROOT / "sim" / "model"]

TRANSCENDENTAL = {
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "logaddexp", "logaddexp2", "power", "float_power",
    "pow", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "asin", "acos", "atan", "atan2",
    "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "asinh", "acosh", "atanh", "cbrt", "hypot",
    "erf", "erfc", "gamma", "lgamma", "sinc", "deg2rad", "rad2deg", "dist",
}
BLAS = {"dot", "vdot", "matmul", "inner", "tensordot", "einsum", "linalg", "emath", "scimath"}
# numpy.random.Generator methods other than random/integers/choice-by-uniform call the C library's exp/log
GENERATOR_DISTRIBUTIONS = {
    "exponential", "standard_exponential", "normal", "standard_normal", "lognormal", "gamma", "standard_gamma",
    "beta", "poisson", "binomial", "negative_binomial", "weibull", "pareto", "gumbel", "logistic", "laplace",
    "chisquare", "standard_t", "standard_cauchy", "vonmises", "wald", "rayleigh", "geometric", "hypergeometric",
    "logseries", "zipf", "multivariate_normal", "dirichlet", "noncentral_f", "noncentral_chisquare",
}
CPU_MODULES = {"numpy", "math", "cmath", "scipy"}
# (file relative to the project, text of the finding) -> why it is allowed there; none today
EXCEPTIONS: dict[tuple[str, str], str] = {}


def _int_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def violations(source: str, filename: str = "<planted>") -> list[str]:
    """Every CPU-dependent path in ``source``, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    aliases: dict[str, str] = {}  # local name -> module it stands for
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                root = a.name.split(".")[0]
                if root == "scipy":
                    found.append((node.lineno, f"imports {a.name} (SciPy's functions call the C library's libm)"))
                if root in CPU_MODULES:
                    aliases[(a.asname or a.name).split(".")[0]] = root
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root == "scipy":
                found.append((node.lineno, f"imports from {node.module} (SciPy's functions call libm)"))
            elif root in CPU_MODULES:
                for a in node.names:
                    if a.name in TRANSCENDENTAL | BLAS:
                        found.append((node.lineno, f"imports {a.name} from {node.module}"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            rooted = isinstance(base, ast.Name) and base.id in aliases
            if rooted and node.attr in TRANSCENDENTAL | BLAS:
                found.append((node.lineno, f"{ast.unparse(node)} (CPU-dependent: numpy SIMD dispatch, BLAS or libm)"))
            elif node.attr in GENERATOR_DISTRIBUTIONS and isinstance(node.ctx, ast.Load) and not rooted:
                found.append((node.lineno, f".{node.attr}() (a numpy Generator distribution calls libm)"))
            elif node.attr in {"dot", "vdot", "matmul", "tensordot", "einsum"} and not rooted:  # ndarray.dot
                found.append((node.lineno, f".{node.attr}() (an array product runs BLAS kernels picked by CPU)"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            if not (_int_constant(node.left) and _int_constant(node.right)):
                found.append((node.lineno, f"{ast.unparse(node)} (float ** calls libm's pow)"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.append((node.lineno, f"{ast.unparse(node)} (@ runs BLAS kernels picked by CPU)"))
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Pow, ast.MatMult)):
            found.append((node.lineno, f"{ast.unparse(node)} (libm's pow or BLAS)"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "pow":
            found.append((node.lineno, f"{ast.unparse(node)} (float pow calls libm)"))
    return [f"{filename}:{line}: {what}" for line, what in sorted(found)]


def simulation_files() -> list[Path]:
    return sorted(p for d in SIMULATION for p in d.rglob("*.py"))


def test_simulation_code_has_no_cpu_dependent_path():
    problems = []
    for path in simulation_files():
        rel = path.relative_to(ROOT).as_posix()
        problems += [v for v in violations(path.read_text(), rel)
                     if not any(rel == f and text in v for (f, text) in EXCEPTIONS)]
    assert len(simulation_files()) > 30  # the scan sees the simulation code
    assert not problems, "CPU-dependent arithmetic in the simulation code (use sim.engine.portable_math):\n" + \
        "\n".join(problems)


@pytest.mark.parametrize("planted", [
    "import numpy as np\nx = np.log(u)",
    "import numpy\nx = -numpy.exp(u) * 2",
    "import numpy as np\nx = np.log.reduce(u)",
    "from numpy import power\n",
    "from numpy import linalg\n",
    "import math\nx = math.log(u)",
    "import math as m\nx = m.exp(u)",
    "x = u ** 0.5",
    "x = u ** 2",
    "x **= 2",
    "x = pow(u, 3)",
    "x = a @ b",
    "x = a.dot(b)",
    "x = rng.exponential(2.0, 10)",
    "x = rng.normal()",
    "from scipy.special import ndtri\n",
    "import scipy.stats\n",
])
def test_a_planted_cpu_dependent_call_is_found(planted):
    assert violations(planted), planted


@pytest.mark.parametrize("allowed", [
    "import math\nx = math.sqrt(u) + math.floor(u) + math.frexp(u)[0] + math.ldexp(u, 2) + math.fsum([u])",
    "import numpy as np\nx = np.cumsum(np.clip(rng.random(8), 1e-12, 1)) * 2 + np.sqrt(u)",
    "from sim.engine.portable_math import exp, log\nx = exp(log(u))",
    "MEMORY = 12 * 2**30",
    "x = rng.integers(0, 10)",
])
def test_exact_operations_are_allowed(allowed):
    assert violations(allowed) == []


def test_planting_np_log_in_a_simulation_module_is_caught():
    """The scan reads the real files: the document plan with numpy's log put back (the path issue 20 found)."""
    path = ROOT / "sim" / "model" / "document_plan.py"
    source = path.read_text()
    assert violations(source) == []
    planted = source.replace("from sim.engine.portable_math import log\n",
                             "from sim.engine.portable_math import log\nimport numpy as np\n", 1) + \
        "\n\ndef _planted(u):\n    return -np.log(u)\n"
    assert any("np.log" in v for v in violations(planted, "sim/model/document_plan.py"))


FEATURES = "from numpy._core import _multiarray_umath as m; "  # numpy's own record of the host's SIMD levels


def _dispatched_features() -> list[str]:
    """The SIMD levels numpy dispatches to on this host, above the baseline its build assumes."""
    from numpy._core import _multiarray_umath as m

    baseline = set(m.__cpu_baseline__)
    return [f for f in m.__cpu_dispatch__ if f not in baseline and m.__cpu_features__.get(f)]


def _older_cpu_env() -> dict[str, str]:
    """This host's environment with numpy's SIMD levels above the baseline and glibc's AVX2/FMA code switched off:
    the code paths a CPU without AVX-512, AVX2 or FMA would take."""
    env = dict(os.environ)
    env["NPY_DISABLE_CPU_FEATURES"] = " ".join(_dispatched_features())
    env["GLIBC_TUNABLES"] = "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F,-AVX512DQ,-AVX512VL"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests"), str(ROOT)])
    return env


@pytest.mark.slow
def test_the_golden_history_is_the_same_on_an_emulated_older_cpu(tmp_path):
    """The golden history digests on this host, with numpy's SIMD and glibc's FMA variants switched off.  (Before
    issue 20 the digests differed: numpy's AVX-512 log and glibc's FMA exp/log/log1p changed the simulation.)"""
    from golden.regenerate import GOLDEN_PORTFOLIO, OVERRIDES_PORTFOLIO

    script = ("import json, sys; from golden.regenerate import kpis; "
              "print(json.dumps(kpis(sys.argv[1:])['history']))")
    env = _older_cpu_env()
    still_on = subprocess.run(
        [sys.executable, "-c", FEATURES + "print([f for f in m.__cpu_dispatch__ if m.__cpu_features__.get(f) "
         "and f not in m.__cpu_baseline__])"], env=env, capture_output=True, text=True, check=True)
    assert still_on.stdout.strip() == "[]", f"numpy still dispatches to {still_on.stdout.strip()}"
    out = subprocess.run([sys.executable, "-c", script, *OVERRIDES_PORTFOLIO], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    expected = json.loads(GOLDEN_PORTFOLIO.read_text())["history"]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == expected
