"""Sample-size justification: Cochran's formula, Krejcie & Morgan's table, RMSEA power of a SEM.

- Cochran (1977, *Sampling Techniques*, 3rd ed., ch. 4):
  ``n0 = z^2 p (1 - p) / e^2`` for a proportion estimated within a margin
  ``e``, and with the finite-population correction ``n = n0 / (1 + (n0 - 1) / N)``;
  rounded up.
- Krejcie & Morgan (1970, "Determining sample size for research
  activities", *Educational and Psychological Measurement* 30, 607-610):
  ``s = X^2 N P (1 - P) / (d^2 (N - 1) + X^2 P (1 - P))`` with ``X^2 = 3.841``,
  ``P = 0.5``, ``d = 0.05``; their Table 1 rounds to the nearest whole
  respondent (``tests/reference/inferential/krejcie_morgan_1970_table1.csv``).
- MacCallum, Browne & Sugawara (1996, *Psychological Methods* 1, 130-149):
  the power of the test of close fit (H0: RMSEA = 0.05 against RMSEA = 0.08)
  or of not-close fit (H0: RMSEA = 0.05 against 0.01) for a model with ``df``
  degrees of freedom and ``n`` respondents, from the noncentral chi-square
  with ``lambda = (n - 1) df RMSEA^2``; and the smallest ``n`` reaching a
  power.  Equal to ``semTools::findRMSEApower`` and
  ``semTools::findRMSEAsamplesize``.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_ci, check_int, check_number

__all__ = ["sample_size", "krejcie_morgan", "rmsea_power", "sem_sample_size"]


def sample_size(population: int | None = None, *, ci: float = 0.95, margin: float = 0.05, p: float = 0.5,
                achieved: int | None = None) -> pd.Series:
    """Cochran's sample size for a proportion, with the finite-population correction.

    Parameters
    ----------
    population : int, optional
        Size of the population ``N``; None for a very large population.
    ci : float, default 0.95
        Confidence level (z = 1.96 for 0.95).
    margin : float, default 0.05
        Margin of error ``e`` (0.05 = plus or minus 5 percentage points).
    p : float, default 0.5
        Expected proportion; 0.5 gives the largest (safest) sample.
    achieved : int, optional
        The sample actually collected: the margin of error it achieves is
        added (``achieved_margin``).  It may not exceed the population.

    Returns
    -------
    pandas.Series
        ``z, n0`` (infinite population), ``n`` (rounded up, with the finite
        correction when ``population`` is given), ``population``, and with
        ``achieved`` also ``achieved, achieved_margin``.

    Examples
    --------
    >>> import crm_research as crm
    >>> int(crm.sample_size()["n"]), int(crm.sample_size(1000)["n"])
    (385, 278)
    """
    func = "sample_size"
    ci = check_ci(ci, func)
    margin = check_number(margin, "margin", func, 0.0, 1.0, inclusive=(False, False))
    p = check_number(p, "p", func, 0.0, 1.0, inclusive=(False, False))
    if population is not None:
        population = check_int(population, "population", func, min_value=1)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    n0 = z**2 * p * (1 - p) / margin**2
    n = n0 if population is None else n0 / (1 + (n0 - 1) / population)
    out = {"z": z, "n0": n0, "n": math.ceil(n - 1e-9), "population": population}
    if achieved is not None:
        achieved = check_int(achieved, "achieved", func, min_value=2)
        if population is not None and achieved > population:
            raise CRMInputError(f"{func}: the sample (achieved={achieved}) is larger than the population "
                                f"({population}); check both numbers.")
        fpc = 1.0 if population is None else (population - achieved) / (population - 1) if population > 1 else 0.0
        out["achieved"] = achieved
        out["achieved_margin"] = z * math.sqrt(p * (1 - p) / achieved * fpc)
    return pd.Series(out, dtype=object)


def krejcie_morgan(population: int) -> int:
    """Krejcie & Morgan's (1970) sample size for a population of ``N`` (95%, +/-5%, P = 0.5).

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.krejcie_morgan(1000), crm.krejcie_morgan(100000)
    (278, 383)
    """
    population = check_int(population, "population", "krejcie_morgan", min_value=1)
    chi2, P, d = 3.841, 0.5, 0.05
    s = chi2 * population * P * (1 - P) / (d**2 * (population - 1) + chi2 * P * (1 - P))
    return int(math.floor(s + 0.5))


def _check_rmsea(df, rmsea0, rmsea_a, level, func):
    df = check_int(df, "df", func, min_value=1)
    rmsea0 = check_number(rmsea0, "rmsea0", func, 0.0, None, inclusive=(True, True))
    rmsea_a = check_number(rmsea_a, "rmsea_a", func, 0.0, None, inclusive=(True, True))
    if rmsea0 == rmsea_a:
        raise CRMInputError(f"{func}: rmsea0 and rmsea_a are both {rmsea0}; the alternative must differ.")
    level = check_number(level, "level", func, 0.0, 1.0, inclusive=(False, False))
    return df, rmsea0, rmsea_a, level


def _power(df: int, n: float, rmsea0: float, rmsea_a: float, level: float) -> float:
    ncp0 = (n - 1) * df * rmsea0**2
    ncpa = (n - 1) * df * rmsea_a**2
    if rmsea0 < rmsea_a:  # test of close fit: reject for large chi-square
        crit = stats.ncx2.isf(level, df, ncp0) if ncp0 > 0 else stats.chi2.isf(level, df)
        return float(stats.ncx2.sf(crit, df, ncpa) if ncpa > 0 else stats.chi2.sf(crit, df))
    crit = stats.ncx2.ppf(level, df, ncp0)  # test of not-close fit: reject for small chi-square
    return float(stats.ncx2.cdf(crit, df, ncpa) if ncpa > 0 else stats.chi2.cdf(crit, df))


def rmsea_power(df: int, n: int, *, rmsea0: float = 0.05, rmsea_a: float = 0.08, level: float = 0.05) -> float:
    """Power of the RMSEA test of a SEM (MacCallum, Browne & Sugawara 1996).

    Parameters
    ----------
    df : int
        Degrees of freedom of the model.
    n : int
        Sample size.
    rmsea0, rmsea_a : float
        RMSEA under the null and the alternative: 0.05 / 0.08 is the test of
        close fit, 0.05 / 0.01 the test of not-close fit.
    level : float, default 0.05
        Significance level.

    Returns
    -------
    float

    Examples
    --------
    >>> import crm_research as crm
    >>> round(crm.rmsea_power(50, 200), 3)
    0.769
    """
    func = "rmsea_power"
    df, rmsea0, rmsea_a, level = _check_rmsea(df, rmsea0, rmsea_a, level, func)
    n = check_int(n, "n", func, min_value=2)
    return _power(df, n, rmsea0, rmsea_a, level)


def sem_sample_size(df: int, *, power: float = 0.8, rmsea0: float = 0.05, rmsea_a: float = 0.08,
                    level: float = 0.05) -> int:
    """Smallest sample whose RMSEA test reaches ``power`` (MacCallum, Browne & Sugawara 1996).

    Equal to ``semTools::findRMSEAsamplesize`` (the first n >= 5 whose power
    exceeds ``power``).

    Parameters
    ----------
    df : int
        Degrees of freedom of the model.
    power : float, default 0.8
    rmsea0, rmsea_a, level : float
        As in :func:`rmsea_power`.

    Returns
    -------
    int

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.sem_sample_size(50), crm.sem_sample_size(50, rmsea_a=0.01)
    (214, 268)
    """
    func = "sem_sample_size"
    df, rmsea0, rmsea_a, level = _check_rmsea(df, rmsea0, rmsea_a, level, func)
    power = check_number(power, "power", func, 0.0, 1.0, inclusive=(False, False))
    if _power(df, 5, rmsea0, rmsea_a, level) > power:
        return 5
    low, high = 5, 10
    while _power(df, high, rmsea0, rmsea_a, level) <= power:  # power rises with n
        low, high = high, high * 2
        if high > 10_000_000:
            raise CRMInputError(f"{func}: no sample below 10 million reaches power {power}.")
    while high - low > 1:
        mid = (low + high) // 2
        if _power(df, mid, rmsea0, rmsea_a, level) > power:
            high = mid
        else:
            low = mid
    return high
