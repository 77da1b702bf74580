"""Thresholds, polychoric correlations and their asymptotic covariance, as lavaan computes them.

Likert items are ordered categories, not interval numbers.  The polychoric
model assumes each item ``y`` is a coarsened normal *latent response*
``y*`` (standard normal): ``y = c`` when ``tau_(c-1) < y* <= tau_c``.  The
thresholds ``tau`` and the correlation of two latent responses (the
polychoric correlation) are estimated in two steps (Olsson, 1979), which is
lavaan's default (``lavCor(data, ordered = names(data))``):

1. each item's thresholds from its own margin, ``tau_c = Phi^-1(P(y <= c))``
   (the univariate probit maximum-likelihood estimate);
2. each correlation by maximum likelihood on the two-way table of the pair,
   with the thresholds held at their step-1 values.

For the weighted least squares estimators the asymptotic covariance matrix
of all thresholds and correlations (lavaan's ``NACOV``, ``lavInspect(fit,
"gamma")``) comes from the case-wise scores of the two steps (Muthén, 1984;
Muthén & Satorra, 1995): a sandwich ``N B^-1 (sum_i s_i s_i') B^-T`` where
``B`` is the block-triangular matrix of cross-products of the scores, so the
uncertainty of the thresholds carries into the correlations.

The bivariate normal distribution function is evaluated through Owen's T
function (``scipy.special.owens_t``), vectorised over all cells of a table.

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric
correlation coefficient. *Psychometrika*, 44(4), 443-460.
Muthén, B. (1984). A general structural equation model with dichotomous,
ordered categorical, and continuous latent variable indicators.
*Psychometrika*, 49(1), 115-132.
Muthén, B., & Satorra, A. (1995). Technical aspects of Muthén's LISCOMP
approach to estimation of latent variable relations with a comprehensive
measurement model. *Psychometrika*, 60(4), 489-503.
Owen, D. B. (1956). Tables for computing bivariate normal probabilities.
*Annals of Mathematical Statistics*, 27(4), 1075-1090.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
*Journal of Statistical Software*, 48(2), 1-36.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import renamed_arguments
from crm_research.core.errors import CRMInputError
from crm_research.core.optimize import minimize
from crm_research.core.results import Result
from crm_research.core.validation import check_columns, check_dataframe, check_numeric_columns

__all__ = ["polychoric", "PolychoricResult", "bivariate_normal_cdf"]

# lavaan floors cell probabilities at sqrt(machine epsilon) (lav_bvord_noexo_pi)
_PI_FLOOR = np.sqrt(np.finfo(float).eps)
# and bounds the correlation in its optimiser (lav_bvord_cor_twostep_fit)
_RHO_BOUND = 0.999


def bivariate_normal_cdf(h, k, rho):
    """``P(X <= h, Y <= k)`` for standard normal ``X, Y`` with correlation ``rho``.

    Parameters
    ----------
    h, k : array_like
        Upper limits (finite), broadcast together with ``rho``.
    rho : array_like
        Correlation, ``-1 < rho < 1``.

    Returns
    -------
    numpy.ndarray
        The probabilities.

    Notes
    -----
    Owen's (1956) formula ``Phi2(h, k; r) = Phi(h)/2 + Phi(k)/2 - T(h, a_h)
    - T(k, a_k) - beta`` with ``a_h = (k - r h) / (h sqrt(1 - r^2))``,
    ``a_k = (h - r k) / (k sqrt(1 - r^2))`` and ``beta = 1/2`` when ``h k < 0``
    (or one of them is 0 and ``h + k < 0``), else 0.  ``T`` is Owen's T
    function, accurate to double precision in scipy.  A limit of exactly 0
    is moved to 1e-300, where the formula is continuous.

    References
    ----------
    Owen, D. B. (1956). Tables for computing bivariate normal probabilities.
    *Annals of Mathematical Statistics*, 27(4), 1075-1090.
    """
    h, k, rho = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float), np.asarray(rho, float))
    return _bvn(h, k, rho)


def _bvn(h, k, rho):
    """:func:`bivariate_normal_cdf` without argument conversion (hot loop of the polychoric fit)."""
    from scipy.special import ndtr, owens_t

    h = np.where(h == 0.0, 1e-300, h)
    k = np.where(k == 0.0, 1e-300, k)
    s = np.sqrt((1.0 - rho) * (1.0 + rho))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ah = (k - rho * h) / (h * s)
        ak = (h - rho * k) / (k * s)
    beta = np.where(h * k < 0, 0.5, 0.0)
    out = 0.5 * ndtr(h) + 0.5 * ndtr(k) - owens_t(h, ah) - owens_t(k, ak) - beta
    return np.clip(out, 0.0, 1.0)


def _bivariate_density(h, k, rho):
    r2 = 1.0 - rho * rho
    return np.exp(-(h * h - 2.0 * rho * h * k + k * k) / (2.0 * r2)) / (2.0 * np.pi * np.sqrt(r2))


@dataclass
class _Pair:
    """Cell probabilities of one two-way table and their derivatives."""

    pi: np.ndarray  # K1 x K2 cell probabilities (floored)
    dpi: np.ndarray  # d pi / d rho
    floored: np.ndarray  # cells at the floor (derivative taken as 0 there)


def _pair_probs(t1, t2, rho, derivative=True) -> _Pair:
    """Cell probabilities of the bivariate probit with thresholds ``t1``, ``t2`` (finite, increasing)."""
    from scipy.special import ndtr

    K1, K2 = len(t1) + 1, len(t2) + 1
    big = np.zeros((K1 + 1, K2 + 1))
    hh = np.repeat(t1[:, None], K2 - 1, axis=1)
    kk = np.repeat(t2[None, :], K1 - 1, axis=0)
    big[1:K1, 1:K2] = _bvn(hh, kk, rho)
    big[K1, 1:K2] = ndtr(t2)
    big[1:K1, K2] = ndtr(t1)
    big[K1, K2] = 1.0
    pi = big[1:, 1:] - big[1:, :-1] - big[:-1, 1:] + big[:-1, :-1]
    floored = pi < _PI_FLOOR
    pi = np.where(floored, _PI_FLOOR, pi)
    dpi = None
    if derivative:
        dens = np.zeros((K1 + 1, K2 + 1))
        dens[1:K1, 1:K2] = _bivariate_density(hh, kk, rho)
        dpi = dens[1:, 1:] - dens[1:, :-1] - dens[:-1, 1:] + dens[:-1, :-1]
        dpi = np.where(floored, 0.0, dpi)
    return _Pair(pi, dpi, floored)


def _fit_pair(freq, t1, t2) -> float:
    """Two-step ML polychoric correlation of one table, with lavaan's special cases for 2 x 2 tables."""
    freq = freq.astype(float)
    if freq.shape == (2, 2):
        zeros = np.flatnonzero(freq.ravel() == 0)
        if len(zeros) == 2:
            # two empty cells: perfect association (lavaan returns +-1 and warns)
            return 1.0 if freq[0, 0] > 0 else -1.0
        if len(zeros) == 1:
            # lavaan adds 0.5 to the empty cell keeping the margins (zero.add = 0.5, zero.keep.margins)
            sign = 1.0 if zeros[0] in (0, 3) else -1.0
            freq = freq + sign * np.array([[0.5, -0.5], [-0.5, 0.5]])
        if freq[0, 0] * freq[1, 1] == freq[0, 1] * freq[1, 0]:
            return 0.0
        if t1[0] == 0 and t2[0] == 0:
            return float(-np.cos(2 * np.pi * freq[0, 0] / freq.sum()))

    n = freq.sum()

    def loglik(rho):
        return float(np.sum(freq * np.log(_pair_probs(t1, t2, rho, derivative=False).pi)))

    def evaluate(x, order):
        # minus the mean log-likelihood, its derivative and the expected information per observation;
        # outside lavaan's bound the objective is undefined, so the step halving stays inside
        rho = float(x[0])
        if abs(rho) > _RHO_BOUND:
            return np.inf, None, None
        pr = _pair_probs(t1, t2, rho, derivative=order > 0)
        f = -float(np.sum(freq * np.log(pr.pi))) / n
        if order == 0:
            return f, None, None
        g = -float(np.sum(freq * pr.dpi / pr.pi)) / n
        return f, np.array([g]), np.array([[float(np.sum(pr.dpi**2 / pr.pi))]])

    # Fisher scoring (the shared optimiser) from the Pearson correlation of the category codes, lavaan's
    # start value; the log-likelihood is smooth and in practice unimodal on (-1, 1)
    a, b = np.nonzero(freq)
    w = freq[a, b] / n
    ma, mb = np.sum(w * a), np.sum(w * b)
    va, vb = np.sum(w * (a - ma) ** 2), np.sum(w * (b - mb) ** 2)
    rho = float(np.sum(w * (a - ma) * (b - mb)) / np.sqrt(va * vb)) if va > 0 and vb > 0 else 0.0
    rho = float(np.clip(rho, -0.9, 0.9))
    # no BFGS fall-back: it knows no bounds; the bounded search below is this problem's fall-back
    opt = minimize(evaluate, np.array([rho]), tol=1e-12, flat_tol=1e-9, fallback=False)
    if opt.converged:
        return float(opt.x[0])
    from scipy.optimize import minimize_scalar

    # fall-back: a bounded one-dimensional search on the log-likelihood
    out = minimize_scalar(lambda r: -loglik(r), bounds=(-_RHO_BOUND, _RHO_BOUND), method="bounded",
                          options={"xatol": 1e-12})
    return float(out.x)


def _codes(column: pd.Series):
    """Integer category codes 0..K-1 (the observed values in order, as R's ordered())."""
    values = np.sort(column.unique())
    codes = np.searchsorted(values, column.to_numpy())
    return codes, values


@dataclass(repr=False, eq=False, kw_only=True)
class PolychoricResult(Result):
    """Thresholds and polychoric correlations (two-step ML, as lavaan's ``lavCor``).

    Attributes
    ----------
    correlations : pandas.DataFrame
        Polychoric correlation matrix (items x items).
    thresholds : pandas.DataFrame
        One row per threshold: ``item, threshold`` (``t1``, ``t2``, ...),
        ``name`` (lavaan's ``item|t1``), ``est`` and ``se`` (the standard
        error ``sqrt(nacov_ii / (N - 1))``, as lavaan's WLSMV prints it).
    nacov : pandas.DataFrame
        Asymptotic covariance matrix of ``sqrt(N)`` times (thresholds, then
        the correlations below the diagonal, column by column), lavaan's
        ``lavInspect(fit, "gamma")``.
    categories : dict
        The observed categories of every item, lowest first.
    n : int
        Number of complete rows used.
    items : list of str
        The items, in the order of the matrices.
    """

    title: ClassVar[str] = "Polychoric correlations (two-step maximum likelihood)"
    items: list[str]
    n: int
    categories: dict
    correlations: pd.DataFrame
    thresholds: pd.DataFrame
    nacov: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The correlation matrix."""
        return self.correlations.copy()

    @property
    def stat_names(self) -> list[str]:
        """lavaan's names of the statistics in ``nacov`` order (``x|t1``, ..., ``x2~~x1``, ...)."""
        return list(self.nacov.index)

    def _summary_tables(self):
        th = self.thresholds.pivot(index="item", columns="threshold", values="est").loc[self.items]
        return [(f"Polychoric correlations, N = {self.n} complete rows", self.correlations),
                ("Thresholds (z values of the cumulative proportions)", th)]

    def _summary_notes(self):
        return list(self.warnings) + [
            "Each correlation is the correlation of two normal latent responses assumed to underlie the items; "
            "the thresholds cut those latent responses into the observed categories."]

    def plot(self, ax=None):
        """Heat map of the polychoric correlations."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(1.0 + 0.45 * len(self.items), 0.8 + 0.4 * len(self.items)))
        values = self.correlations.to_numpy()
        im = ax.imshow(values, vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set_xticks(range(len(self.items)), self.items, rotation=90)
        ax.set_yticks(range(len(self.items)), self.items)
        if len(self.items) <= 12:
            for i in range(len(self.items)):
                for j in range(len(self.items)):
                    ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=7)
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label="polychoric r")
        ax.set_title("Polychoric correlations")
        return ax


@renamed_arguments(columns="items")
def polychoric(data, items=None, *, missing="listwise") -> PolychoricResult:
    """Polychoric correlations and thresholds of ordinal items, equal to lavaan's ``lavCor``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one column per ordinal item (e.g. Likert
        answers 1-5).  Text cells with Persian digits are read as numbers.
        The categories of an item are the values that occur, in order.
    items : list of str, optional
        Items to use (default: all columns of ``data``); ``columns`` before
        0.2 (the old name still works, with a ``FutureWarning``).
    missing : {"listwise"}
        Rows with a missing value in any of the items are dropped (lavaan's
        default for ``lavCor``).

    Returns
    -------
    PolychoricResult
        ``correlations`` (DataFrame), ``thresholds`` (columns ``item,
        threshold, name, est, se``), ``nacov`` (asymptotic covariance of
        thresholds and correlations, lavaan's ``gamma``), ``categories``,
        ``n``, ``summary()`` and ``plot()`` (heat map).

    Raises
    ------
    CRMInputError
        If a column is unknown or not numeric, an item has only one observed
        category, has more than 20 categories (not an ordinal item), or fewer
        than 10 complete rows remain.

    Notes
    -----
    Thresholds: ``tau_c = Phi^-1(n_1 + ... + n_c) / N)``.  A correlation
    ``rho`` maximises ``sum_ab n_ab log pi_ab(rho)`` with
    ``pi_ab = Phi2(tau_a, tau'_b) - Phi2(tau_(a-1), tau'_b) - Phi2(tau_a,
    tau'_(b-1)) + Phi2(tau_(a-1), tau'_(b-1))`` (Olsson, 1979), the
    thresholds held at their step-1 values; lavaan's conventions are kept:
    ``rho`` is bounded to [-0.999, 0.999], cell probabilities are floored at
    ``sqrt(eps)``, and a 2 x 2 table with one empty cell gets 0.5 added to it
    keeping the margins.

    The asymptotic covariance ``Gamma = N B^-1 (S' S) B^-T`` stacks the
    case-wise scores ``S`` of the univariate (thresholds) and bivariate
    (correlation) log-likelihoods; ``B`` has the per-item cross-products of
    threshold scores on its diagonal block, the cross-products of each
    correlation's scores (diagonal) and the cross-products of correlation
    scores with the bivariate threshold derivatives below it (Muthén, 1984).
    It equals lavaan's ``lavInspect(fit, "gamma")`` for an ordinal model.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric
    correlation coefficient. *Psychometrika*, 44(4), 443-460.
    Muthén, B. (1984). A general structural equation model with dichotomous,
    ordered categorical, and continuous latent variable indicators.
    *Psychometrika*, 49(1), 115-132.
    Rosseel, Y. (2012). lavaan: An R package for structural equation
    modeling. *Journal of Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.load_dataset("bfi")
    >>> pc = crm.polychoric(bfi, ["A1", "A2", "A3", "A4", "A5"])
    >>> pc.correlations.round(2)
          A1    A2    A3    A4    A5
    A1  1.00 -0.41 -0.33 -0.18 -0.23
    A2 -0.41  1.00  0.56  0.39  0.45
    A3 -0.33  0.56  1.00  0.41  0.57
    A4 -0.18  0.39  0.41  1.00  0.35
    A5 -0.23  0.45  0.57  0.35  1.00
    """
    func = "polychoric"
    data = check_dataframe(data, "data", func, min_rows=2)
    if items is None:
        items = [str(c) for c in data.columns]
    columns = check_columns(data, items, "items", func, min_count=2)
    if missing != "listwise":
        raise CRMInputError(f"The 'missing' parameter of {func} must be 'listwise'. Got {missing!r} instead.")
    clean = check_numeric_columns(data, columns, name="data", func=func, allow_constant=False)
    complete = clean.dropna()
    dropped = len(clean) - len(complete)
    if len(complete) < 10:
        raise CRMInputError(f"Only {len(complete)} complete row(s) remain in 'data' for {func}; at least 10 are "
                            "needed to estimate thresholds and polychoric correlations.")
    res = _polychoric_arrays(complete, columns, func)
    if dropped:
        res.warnings.append(f"{dropped} row(s) with missing values were dropped (listwise deletion).")
    return res


def _polychoric_arrays(complete: pd.DataFrame, columns: list[str], func: str) -> PolychoricResult:
    from scipy.special import ndtr, ndtri

    n = len(complete)
    p = len(columns)
    codes, cats, taus = [], {}, []
    for col in columns:
        c, values = _codes(complete[col])
        if len(values) < 2:
            raise CRMInputError(f"Column {col!r} of 'data' has a single observed category ({values[0]!r}); "
                                f"{func} needs at least two.")
        if len(values) > 20:
            raise CRMInputError(f"Column {col!r} of 'data' has {len(values)} distinct values; an ordinal item "
                                "should have at most 20 categories. Use Pearson correlations for continuous data.")
        codes.append(c)
        cats[col] = values.tolist()
        counts = np.bincount(c, minlength=len(values))
        taus.append(ndtri(np.cumsum(counts)[:-1] / n))
    nth = [len(t) for t in taus]
    th_start = np.concatenate([[0], np.cumsum(nth)])
    n_th = int(th_start[-1])
    n_cor = p * (p - 1) // 2

    # -- step 1 scores: d log P(y_i) / d tau ---------------------------------------------------
    sc_th = np.zeros((n, n_th))
    rows = np.arange(n)
    for v in range(p):
        t = np.concatenate([[-np.inf], taus[v], [np.inf]])
        c = codes[v]
        pi_c = ndtr(t[c + 1]) - ndtr(t[c])
        dens = np.exp(-0.5 * t**2) / np.sqrt(2 * np.pi)
        upper = c < nth[v]  # the upper limit of category c is threshold c
        sc_th[rows[upper], th_start[v] + c[upper]] = dens[c[upper] + 1] / pi_c[upper]
        lower = c > 0  # the lower limit of category c is threshold c - 1
        sc_th[rows[lower], th_start[v] + c[lower] - 1] -= dens[c[lower]] / pi_c[lower]

    # -- step 2: correlations, their scores and the cross-derivatives with the thresholds --------
    R = np.eye(p)
    sc_cor = np.zeros((n, n_cor))
    A21 = np.zeros((n_cor, n_th))
    A22 = np.zeros(n_cor)
    warnings: list[str] = []
    names_cor = []
    k = 0
    # lavaan's order: below the diagonal, column by column (vech without the diagonal)
    for j in range(p):
        for i in range(j + 1, p):
            freq = np.zeros((nth[i] + 1, nth[j] + 1))
            np.add.at(freq, (codes[i], codes[j]), 1.0)
            rho = _fit_pair(freq, taus[i], taus[j])
            R[i, j] = R[j, i] = rho
            if abs(rho) > 0.99:
                warnings.append(f"The polychoric correlation of {columns[i]!r} and {columns[j]!r} is {rho:.3f}, "
                                "(nearly) 1.")
            pr = _pair_probs(taus[i], taus[j], rho)
            ratio = pr.dpi / pr.pi  # score of rho for a case in cell (a, b)
            sc_cor[:, k] = ratio[codes[i], codes[j]]
            A22[k] = np.sum(freq * ratio**2)
            q = freq * ratio / pr.pi  # n_ab (dpi/drho) / pi^2
            q = np.where(pr.floored, 0.0, q)
            A21[k, th_start[i]:th_start[i + 1]] = _cross_threshold(q, taus[i], taus[j], rho)
            A21[k, th_start[j]:th_start[j + 1]] = _cross_threshold(q.T, taus[j], taus[i], rho)
            names_cor.append(f"{columns[j]}~~{columns[i]}")
            k += 1
    # -- sandwich: Gamma = N B^-1 (S'S) B^-T ------------------------------------------------------
    A11_inv = np.zeros((n_th, n_th))
    for v in range(p):
        sl = slice(th_start[v], th_start[v + 1])
        A11_inv[sl, sl] = np.linalg.inv(sc_th[:, sl].T @ sc_th[:, sl])
    if np.any(A22 <= 0):
        raise CRMInputError(f"{func}: a correlation has no information (an empty table); check the items.")
    B_inv = np.zeros((n_th + n_cor, n_th + n_cor))
    B_inv[:n_th, :n_th] = A11_inv
    B_inv[n_th:, n_th:] = np.diag(1.0 / A22)
    B_inv[n_th:, :n_th] = -(A21 / A22[:, None]) @ A11_inv
    infl = np.hstack([sc_th, sc_cor]) @ B_inv.T  # case-wise influence of each statistic
    gamma = n * (infl.T @ infl)

    th_names = [f"{col}|t{c + 1}" for col, t in zip(columns, taus) for c in range(len(t))]
    names = th_names + names_cor
    th_est = np.concatenate(taus) if n_th else np.zeros(0)
    thresholds = pd.DataFrame({
        "item": [col for col, t in zip(columns, taus) for _ in t],
        "threshold": [f"t{c + 1}" for t in taus for c in range(len(t))],
        "name": th_names,
        "est": th_est,
        # lavaan's WLSMV standard errors of thresholds divide Gamma by N - 1 (not N) for categorical data
        "se": np.sqrt(np.diag(gamma)[:n_th] / (n - 1)),
    })
    return PolychoricResult(items=list(columns), n=n, categories=cats,
                            correlations=pd.DataFrame(R, index=columns, columns=columns), thresholds=thresholds,
                            nacov=pd.DataFrame(gamma, index=names, columns=names), warnings=warnings)


def _cross_threshold(q, t1, t2, rho):
    """``sum_ab q_ab d pi_ab / d tau1_t`` for every threshold ``t`` of the first item.

    ``d pi_ab / d tau1_t`` is ``phi(tau1_t) [Phi((tau2_b - rho tau1_t)/R) -
    Phi((tau2_(b-1) - rho tau1_t)/R)]`` for the category whose upper limit is
    ``tau1_t`` and minus that for the category above it.
    """
    from scipy.special import ndtr

    R = np.sqrt(1.0 - rho * rho)
    t2e = np.concatenate([[-np.inf], t2, [np.inf]])
    G = ndtr((t2e[None, :] - rho * t1[:, None]) / R)  # (K1-1) x (K2+1)
    H = (G[:, 1:] - G[:, :-1]) * (np.exp(-0.5 * t1**2) / np.sqrt(2 * np.pi))[:, None]
    return np.sum((q[:-1] - q[1:]) * H, axis=1)
