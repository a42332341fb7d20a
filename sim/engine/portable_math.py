"""exp, log, log1p and the normal quantile, with the same bits on every x86-64 CPU.

A simulated history must not depend on the host.  Two common paths do (issue 20, measured here on 2 million
uniforms):

- numpy's transcendental ufuncs (``np.log``, ``np.exp``, ...) run SIMD code picked by the CPU: on an AVX-512
  host ``np.log`` differs from the same call with AVX-512 disabled in the last bit of about 1 value in 300;
- glibc's libm, behind Python's ``math.exp``/``math.log``/``math.log1p`` and SciPy's ``ndtri``, picks an FMA
  variant on CPUs with FMA and AVX2 (GNU ifunc): with them masked (``GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA``)
  ``math.log`` differs in 194, ``math.log1p`` in 885, ``math.exp`` in 1,386 and ``ndtri`` in 7 values.

So these functions are computed here from IEEE 754 basic operations only: ``+ - * /`` and ``math.sqrt``, each
correctly rounded and done one Python operation at a time (never fused into a multiply-add), and
``math.frexp``/``math.ldexp``, which are exact.  The same input gives the same bits on any conforming CPU.
The algorithms are the classic ones of fdlibm (exp, log, log1p: range reduction and a minimax polynomial) and
Cephes' ``ndtri`` (S. L. Moshier; the rational approximations SciPy uses), written afresh for Python with their
published coefficients.  Against 200-bit mpmath references (issue 20's review) the worst errors found were 0.81 ulp
for exp, 0.76 for log, 0.75 for log1p and 3.7 for ndtri; ndtri, like SciPy's, can step back by an ulp or two
between neighbouring inputs near its seams at exp(-2) and 1 - exp(-2), which no draw can notice.
``tests/engine/test_portable_math.py`` checks them against libm and SciPy; ``tests/system/test_cpu_independence.py``
forbids the CPU-dependent paths in the simulation code.
"""
from __future__ import annotations

import math
from typing import Iterable

_LN2_HI = 6.93147180369123816490e-01  # ln 2, high part: its low 32 bits are zero, so k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_INV_LN2 = 1.44269504088896338700e00
_SQRT_HALF = 0.7071067811865476  # mantissas are reduced to [sqrt(1/2), sqrt(2))
# exp: minimax polynomial of the remainder r in [-ln2/2, ln2/2] (fdlibm's e_exp.c)
_P1 = 1.66666666666666019037e-01
_P2 = -2.77777777770155933842e-03
_P3 = 6.61375632143793436117e-05
_P4 = -1.65339022054652515390e-06
_P5 = 4.13813679705723846039e-08
_HALF_LN2 = 0.34657359027997264  # below this |x| needs no reduction (k = 0)
_THREE_HALVES_LN2 = 1.0397207708399179  # up to this k is +-1
_TINY = 3.725290298461914e-09  # 2**-28: below it exp(x) rounds to 1 + x
_EXP_OVERFLOW = 7.09782712893383973096e02  # exp(x) is above the largest float beyond this
_EXP_UNDERFLOW = -7.45133219101941108420e02  # and below the smallest subnormal under this
# log: minimax polynomial of s = f / (2 + f) (fdlibm's e_log.c)
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_LOG1P_LOW = 1.0 - _SQRT_HALF  # 1 + x within [sqrt(1/2), sqrt(2)): log1p needs no reduction
_LOG1P_HIGH = 0.41421356237309503


def _real(x: float) -> float:
    """``x`` as a Python float, as math's functions take it: a numpy scalar in gives a Python float out (a numpy
    scalar leaking into event times makes SimPy's heap slow); a string is refused."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"must be a real number, not {type(x).__name__}")
    return float(x)


def exp(x: float) -> float:
    """e**x (raises OverflowError like ``math.exp`` above about 709.78)."""
    x = _real(x)
    if x != x or x == math.inf:
        return x
    if x > _EXP_OVERFLOW:
        raise OverflowError("math range error")
    if x < _EXP_UNDERFLOW:
        return 0.0
    ax = abs(x)
    if ax > _HALF_LN2:  # x = k ln2 + r
        if ax >= _THREE_HALVES_LN2:
            k = int(_INV_LN2 * x + (0.5 if x > 0 else -0.5))  # truncated toward zero, as C's cast
        else:
            k = 1 if x > 0 else -1
        hi = x - k * _LN2_HI
        lo = k * _LN2_LO
        r = hi - lo
    elif ax > _TINY:
        k, hi, lo, r = 0, x, 0.0, x
    else:
        return 1.0 + x
    rr = r * r
    c = r - rr * (_P1 + rr * (_P2 + rr * (_P3 + rr * (_P4 + rr * _P5))))
    y = 1.0 + (r * c / (2.0 - c) - lo + hi)
    return y if k == 0 else math.ldexp(y, k)


def _log_kernel(f: float, dk: float, c: float) -> float:
    """log(2**dk * (1 + f)) + c for f in [sqrt(1/2) - 1, sqrt(2) - 1) and a whole dk; c is a small correction."""
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    return s * (hfsq + (t2 + t1)) + (dk * _LN2_LO + c) - hfsq + f + dk * _LN2_HI


def _domain(x: float) -> float:
    """log's and log1p's answer outside their open domain (x <= low, NaN or infinity), as ``math`` gives it."""
    if x != x or x == math.inf:
        return x
    raise ValueError("math domain error")


def log(x: float) -> float:
    """Natural logarithm of x > 0 (ValueError for x <= 0, like ``math.log``)."""
    x = _real(x)
    if not 0.0 < x < math.inf:
        return _domain(x)
    m, k = math.frexp(x)  # x = m 2**k, m in [0.5, 1)
    if m < _SQRT_HALF:
        m, k = m * 2.0, k - 1
    return _log_kernel(m - 1.0, float(k), 0.0)  # m - 1 is exact (Sterbenz)


def log1p(x: float) -> float:
    """log(1 + x) for x > -1, accurate also for tiny x (ValueError for x <= -1, like ``math.log1p``)."""
    x = _real(x)
    if not -1.0 < x < math.inf:
        return _domain(x)
    if -_LOG1P_LOW <= x < _LOG1P_HIGH:
        if abs(x) < 1.1102230246251565e-16:  # 2**-53: log1p(x) rounds to x
            return x
        return _log_kernel(x, 0.0, 0.0)
    u = 1.0 + x
    m, k = math.frexp(u)
    if m < _SQRT_HALF:
        m, k = m * 2.0, k - 1
    # the rounding error of 1 + x, carried as a correction: log(1 + x) = log(u) + (1 + x - u) / u
    c = ((1.0 - (u - x) if k >= 2 else x - (u - 1.0)) / u) if k < 54 else 0.0
    return _log_kernel(m - 1.0, float(k), c)


# ndtri: Cephes' rational approximations (S. L. Moshier), as in SciPy's ndtri
_S2PI = 2.50662827463100050242e0  # sqrt(2 pi)
_EXP_M2 = 0.13533528323661269189  # exp(-2): the central approximation serves y in (exp(-2), 1 - exp(-2))
_P0 = (-5.99633501014107895267e1, 9.80010754185999661536e1, -5.66762857469070293439e1,
       1.39312609387279679503e1, -1.23916583867381258016e0)
_Q0 = (1.95448858338141759834e0, 4.67627912898881538453e0, 8.63602421390890590575e1,
       -2.25462687854119370527e2, 2.00260212380060660359e2, -8.20372256168333339912e1,
       1.59056225126211695515e1, -1.18331621121330003142e0)  # leading coefficient 1 omitted
_P1N = (4.05544892305962419923e0, 3.15251094599893866154e1, 5.71628192246421288162e1,
        4.40805073893200834700e1, 1.46849561928858024014e1, 2.18663306850790267539e0,
        -1.40256079171354495875e-1, -3.50424626827848203418e-2, -8.57456785154685413611e-4)
_Q1N = (1.57799883256466749731e1, 4.53907635128879210584e1, 4.13172038254672030440e1,
        1.50425385692907503408e1, 2.50464946208309415979e0, -1.42182922854787788574e-1,
        -3.80806407691578277194e-2, -9.33259480895457427372e-4)
_P2N = (3.23774891776946035970e0, 6.91522889068984211695e0, 3.93881025292474443415e0,
        1.33303460815807542389e0, 2.01485389549179081538e-1, 1.23716634817820021358e-2,
        3.01581553508235416007e-4, 2.65806974686737550832e-6, 6.23974539184983293730e-9)
_Q2N = (6.02427039364742014255e0, 3.67983563856160859403e0, 1.37702099489081330271e0,
        2.16236993594496635890e-1, 1.34204006088543189037e-2, 3.28014464682127739104e-4,
        2.89247864745380683936e-6, 6.79019408009981274425e-9)


def plain_sum(values: Iterable[float]) -> float:
    """Left to right, one rounding per addition, as ``sum()`` of floats did before Python 3.12 (3.12 compensates
    its rounding errors, which can move the last bit): a history stays the same on every Python version."""
    total = 0.0
    for v in values:
        total += v
    return total


def _poly(x: float, coef: tuple[float, ...]) -> float:
    """Horner's rule, highest power first."""
    acc = coef[0]
    for c in coef[1:]:
        acc = acc * x + c
    return acc


def _poly1(x: float, coef: tuple[float, ...]) -> float:
    """Horner's rule with a leading coefficient 1 that ``coef`` leaves out."""
    acc = x + coef[0]
    for c in coef[1:]:
        acc = acc * x + c
    return acc


def ndtri(y: float) -> float:
    """The standard normal quantile: z with P(Z <= z) = y, for y in [0, 1] (infinite at the ends, NaN for NaN, as
    SciPy's; ValueError outside [0, 1])."""
    y = _real(y)
    if y != y:
        return y
    if not 0.0 < y < 1.0:
        if y == 0.0:
            return -math.inf
        if y == 1.0:
            return math.inf
        raise ValueError(f"ndtri: {y} is not in [0, 1]")
    upper = y > 1.0 - _EXP_M2
    if upper:
        y = 1.0 - y
    if y > _EXP_M2:
        y = y - 0.5
        y2 = y * y
        # _poly(y2, _P0) and _poly1(y2, _Q0) written out (the same operations): this is the common case
        a0, a1, a2, a3, a4 = _P0
        p = (((a0 * y2 + a1) * y2 + a2) * y2 + a3) * y2 + a4
        b0, b1, b2, b3, b4, b5, b6, b7 = _Q0
        q = (((((((y2 + b0) * y2 + b1) * y2 + b2) * y2 + b3) * y2 + b4) * y2 + b5) * y2 + b6) * y2 + b7
        return (y + y * (y2 * p / q)) * _S2PI
    x = math.sqrt(-2.0 * log(y))
    x0 = x - log(x) / x
    z = 1.0 / x
    if x < 8.0:  # y > exp(-32)
        x1 = z * _poly(z, _P1N) / _poly1(z, _Q1N)
    else:
        x1 = z * _poly(z, _P2N) / _poly1(z, _Q2N)
    x = x0 - x1
    return x if upper else -x
