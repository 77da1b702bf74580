"""Exploratory factor analysis as ``psych`` does it: KMO, Bartlett, parallel analysis, minres + rotation.

Every number equals its ``psych`` counterpart (``tests/reference/psychometrics.R`` and
``tests/reference/efa_methods.R``: principal axis, ML, principal components, polychoric
EFA and parallel analysis, ``omega``):
``KMO``, ``cortest.bartlett``, ``fa.parallel`` (observed eigenvalues and the
suggested number of factors; simulated eigenvalues in distribution) and
``fa(fm = "minres")`` with GPArotation's oblimin, ``stats::varimax`` or
psych's promax.

Why not factor_analyzer's ``FactorAnalyzer``: version 0.5.1 calls scikit-learn's
``check_array(force_all_finite=...)``, an argument recent scikit-learn releases
removed, so ``FactorAnalyzer.fit`` raises ``TypeError`` with the scikit-learn
1.9 this project uses.  Its algorithms are not the problem -- on the bfi data
its minres optimisation path and its ``Rotator(method="oblimin")`` agree with
``psych::fa`` to about 1e-6 -- so we implement the same psych definitions in
numpy: minres minimising the off-diagonal residuals (Harman & Jones, 1966) by
L-BFGS-B over the uniquenesses with psych's start (1 - SMC), bounds and an
analytic gradient, GPArotation's gradient-projection oblimin, ``stats::varimax``
and psych's Kaiser-normalised promax.  Owning the code also lets parallel
analysis fit its hundreds of one-factor models in one vectorised batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, stats

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import check_choice, check_int, check_number, check_seed
from crm_research.psychometrics.descriptives import prepare_items

__all__ = [
    "efa",
    "EFAResult",
    "kmo",
    "bartlett_sphericity",
    "parallel_analysis",
    "ParallelAnalysisResult",
    "omega",
    "OmegaResult",
]

ROTATIONS = ["oblimin", "varimax", "promax", "quartimin", "none"]
METHODS = ["minres", "pa", "ml", "pc"]
CORRELATIONS = ["pearson", "poly"]
# psych's column prefixes: fa() names factors by method, principal() names rotated
# components RC (orthogonal, promax) or TC (GPArotation's oblique rotations)
_PREFIX = {"minres": "MR", "pa": "PA", "ml": "ML"}


# ---------------------------------------------------------------- helpers
def _correlation(x: pd.DataFrame, missing: str) -> np.ndarray:
    n, p = len(x.dropna()) if missing != "pairwise" else len(x), x.shape[1]
    if n <= p:
        # with n <= p the correlation matrix has rank < p whatever the items are; saying "an item
        # duplicates another" would send the student looking for a fault that is not there
        raise CRMInputError(
            f"There are {n} respondents (complete cases) for {p} items: with no more respondents than items the "
            "correlation matrix is singular, so factor analysis is impossible. Collect more responses (at least "
            "5-10 per item is the usual advice) or analyse fewer items."
        )
    R = x.corr().to_numpy() if missing == "pairwise" else np.corrcoef(x.to_numpy(), rowvar=False)
    if np.isnan(R).any():
        raise CRMInputError(
            "Some pairs of items were never answered together, so their correlation is undefined; "
            "use missing='listwise'."
        )
    return R


def _check_ordinal(x: pd.DataFrame, func: str) -> None:
    values = x.to_numpy()
    bad = [c for c, col in zip(x.columns, values.T) if np.any(np.mod(col[~np.isnan(col)], 1) != 0)]
    if bad:
        raise CRMInputError(
            f"{func}(cor='poly') needs ordinal answers coded as whole numbers (e.g. Likert 1-5), but "
            f"column(s) {', '.join(map(str, bad))} hold non-integer values; use cor='pearson' for "
            "continuous scores.")


def _polychoric_matrix(x: pd.DataFrame, func: str) -> np.ndarray:
    """Polychoric correlations (two-step ML, sem.polychoric); equal to psych's polychoric to ~1e-4."""
    from crm_research.sem.polychoric import polychoric

    if x.isna().any().any():
        raise CRMInputError(f"{func}(cor='poly') uses complete rows only; use missing='listwise'.")
    for c in x.columns:
        if x[c].nunique() < 2:
            raise CRMInputError(f"{func}(cor='poly'): item {c!r} has a single answer category, "
                                "so its polychoric correlations are undefined; remove it.")
    return polychoric(x).correlations.to_numpy()


def _correlation_matrix(x: pd.DataFrame, missing: str, cor: str, func: str) -> np.ndarray:
    if cor == "pearson":
        return _correlation(x, missing)
    _check_ordinal(x, func)
    return _polychoric_matrix(x, func)


def _spss_variance(eigen: np.ndarray, L0: np.ndarray, vx: np.ndarray, method: str, rotation: str) -> pd.DataFrame:
    """SPSS's "Total Variance Explained" table (totals, % of variance, cumulative %)."""
    p = len(eigen)
    nf = L0.shape[1]
    out = pd.DataFrame(index=pd.RangeIndex(1, p + 1, name="factor"))
    out["initial_total"] = eigen
    out["initial_pct"] = 100 * eigen / p
    out["initial_cum_pct"] = np.cumsum(out["initial_pct"])
    ext = np.full(p, np.nan)
    ext[:nf] = np.sum(L0**2, axis=0)
    out["extraction_total"] = ext
    out["extraction_pct"] = 100 * ext / p
    out["extraction_cum_pct"] = np.cumsum(out["extraction_pct"]).where(out["extraction_total"].notna())
    if rotation != "none" and nf > 1:
        rot = np.full(p, np.nan)
        rot[:nf] = vx
        out["rotation_total"] = rot
        if rotation in ("varimax",):
            # SPSS shows % of variance for orthogonal rotations only (oblique sums overlap)
            out["rotation_pct"] = 100 * rot / p
            out["rotation_cum_pct"] = np.cumsum(out["rotation_pct"]).where(out["rotation_total"].notna())
    return out


def _inverse(R: np.ndarray, what: str) -> np.ndarray:
    try:
        inv = np.linalg.inv(R)
    except np.linalg.LinAlgError:
        inv = None
    if inv is None or not np.all(np.isfinite(inv)) or np.linalg.cond(R) > 1e12:
        raise CRMInputError(
            f"The items' correlation matrix is singular, so {what} cannot be computed: an item "
            "duplicates another or is a sum of others (e.g. a total score kept among the items). Remove it."
        )
    return inv


def _smc(R: np.ndarray) -> np.ndarray:
    return 1 - 1 / np.diag(_inverse(R, "squared multiple correlations"))


def _minres_objective(psi: np.ndarray, R: np.ndarray, nf: int):
    """psych's minres criterion (sum of squared off-diagonal residuals) and its gradient."""
    M = R.copy()
    np.fill_diagonal(M, np.diag(R) - psi)
    lam, V = np.linalg.eigh(M)
    lam, V = lam[::-1], V[:, ::-1]
    lam_k = np.maximum(lam[:nf], 100 * np.finfo(float).eps)
    L = V[:, :nf] * np.sqrt(lam_k)
    E = R - L @ L.T
    np.fill_diagonal(E, 0.0)
    f = 0.5 * np.sum(E**2)
    # derivative of the rank-nf truncation V_k diag(lam_k) V_k' (divided differences)
    p = len(lam)
    C = np.zeros((p, p))
    C[:nf, :nf] = 1.0
    top, rest = lam[:nf, None], lam[None, nf:]
    with np.errstate(divide="ignore", invalid="ignore"):
        block = np.where(np.abs(top - rest) > 1e-12, top / (top - rest), 0.0)
    C[:nf, nf:] = block
    C[nf:, :nf] = block.T
    W = V.T @ E @ V
    grad = np.einsum("ij,jk,ik->i", V, C * W, V)
    return f, grad


def _minres(R: np.ndarray, nf: int) -> tuple[np.ndarray, bool]:
    """Unrotated minres loadings with psych's start (1 - SMC), bounds and sign convention."""
    smc = _smc(R)
    upper = max(float(smc.max()), 1.0)
    start = np.diag(R) - smc
    res = optimize.minimize(
        _minres_objective,
        np.clip(start, 0.005, upper),
        args=(R, nf),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.005, upper)] * len(start),
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000},
    )
    M = R.copy()
    np.fill_diagonal(M, np.diag(R) - res.x)
    lam, V = np.linalg.eigh(M)
    lam, V = lam[::-1][:nf], V[:, ::-1][:, :nf]
    L = V * np.sqrt(np.maximum(lam, 0))
    signs = np.sign(L.sum(axis=0))
    signs[signs == 0] = 1
    return L * signs, bool(res.success)


def _principal_axis(R: np.ndarray, nf: int, min_err: float = 0.001, max_iter: int = 50):
    """psych's iterated principal axis (``fa(fm = "pa")``).

    Starts from the squared multiple correlations on the diagonal and stops,
    as psych does, when the sum of the communalities changes by less than
    ``min_err`` (0.001) or after ``max_iter`` (50) iterations; the loadings
    are those of the last eigen-decomposition.  psych's solution is therefore
    not the fully converged one, and neither is this.
    """
    M = R.copy()
    np.fill_diagonal(M, _smc(R))
    comm = float(np.trace(M))
    converged = False
    for _ in range(max_iter):
        lam, V = np.linalg.eigh(M)
        lam, V = lam[::-1][:nf], V[:, ::-1][:, :nf]
        if np.any(lam < 0):
            raise CRMInputError(
                "Principal axis factoring met a negative eigenvalue of the reduced correlation matrix "
                f"(n_factors={nf} is too many for these items); extract fewer factors or use method='minres'.")
        L = V * np.sqrt(lam)
        new = np.sum(L**2, axis=1)
        np.fill_diagonal(M, new)
        err = abs(comm - new.sum())
        comm = float(new.sum())
        if err <= min_err:
            converged = True
            break
    signs = np.sign(L.sum(axis=0))
    signs[signs == 0] = 1
    return L * signs, converged


def _ml_objective(psi: np.ndarray, R: np.ndarray, nf: int):
    """psych's (and factanal's) ML discrepancy over the uniquenesses, with its gradient."""
    sc = 1 / np.sqrt(psi)
    lam, V = np.linalg.eigh(R * np.outer(sc, sc))
    lam, V = lam[::-1], V[:, ::-1]
    e = lam[nf:]
    f = -(np.sum(np.log(e) - e) - nf + len(psi))
    L = np.sqrt(psi)[:, None] * V[:, :nf] * np.sqrt(np.maximum(lam[:nf] - 1, 0))
    g = np.sum(L**2, axis=1) + psi - np.diag(R)
    return f, g / psi**2


def _ml(R: np.ndarray, nf: int) -> tuple[np.ndarray, bool]:
    """Maximum-likelihood factor loadings as ``psych::fa(fm = "ml")`` (start 1 - SMC, bounds .005-1)."""
    smc = _smc(R)
    upper = max(float(smc.max()), 1.0)
    res = optimize.minimize(
        _ml_objective, np.clip(np.diag(R) - smc, 0.005, upper), args=(R, nf), jac=True,
        method="L-BFGS-B", bounds=[(0.005, upper)] * len(smc),
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000},
    )
    psi = res.x
    sc = 1 / np.sqrt(psi)
    lam, V = np.linalg.eigh(R * np.outer(sc, sc))
    lam, V = lam[::-1][:nf], V[:, ::-1][:, :nf]
    L = np.sqrt(psi)[:, None] * V * np.sqrt(np.maximum(lam - 1, 0))
    signs = np.sign(L.sum(axis=0))
    signs[signs == 0] = 1
    return L * signs, bool(res.success)


def _principal_components(R: np.ndarray, nf: int) -> np.ndarray:
    """``psych::principal`` loadings: eigenvectors times the square roots of the eigenvalues."""
    lam, V = np.linalg.eigh(R)
    lam, V = lam[::-1][:nf], V[:, ::-1][:, :nf]
    L = V * np.sqrt(np.maximum(lam, np.finfo(float).eps))
    signs = np.sign(L.sum(axis=0))
    signs[signs == 0] = 1
    return L * signs


def _extract(R: np.ndarray, nf: int, method: str) -> tuple[np.ndarray, bool]:
    if method == "minres":
        return _minres(R, nf)
    if method == "pa":
        return _principal_axis(R, nf)
    if method == "ml":
        return _ml(R, nf)
    return _principal_components(R, nf), True


def _rotate(L0: np.ndarray, rotation: str, method: str, warnings: list) -> tuple[np.ndarray, np.ndarray]:
    """Rotate as psych's fa() / principal() do; returns loadings and factor correlations."""
    nf = L0.shape[1]
    if nf == 1 or rotation == "none":
        return L0, np.eye(nf)
    if rotation in ("oblimin", "quartimin"):
        # GPArotation's quartimin is oblimin with gamma = 0, the same criterion
        L, Phi, ok = _oblimin(L0)
        if not ok:
            warnings.append(f"The {rotation} rotation did not converge in 1000 iterations.")
        return L, Phi
    if rotation == "varimax":
        return _varimax(L0)[0], np.eye(nf)
    if method == "pc":
        # principal(rotate = "promax") calls stats::promax directly
        return _promax(L0)
    # fa(rotate = "promax") calls kaiser(): rows scaled to unit length around Promax
    h = np.sqrt(np.sum(L0**2, axis=1, keepdims=True))
    L, Phi = _promax(L0 / h)
    return L * h, Phi


def _fa_solution(R: np.ndarray, nf: int, method: str, rotation: str, warnings: list):
    """Extraction, rotation, psych's signs and order: (unrotated, rotated loadings, Phi, names)."""
    L0, converged = _extract(R, nf, method)
    if not converged:
        warnings.append(f"The {method} extraction stopped before converging; treat the loadings with caution.")
    L, Phi = _rotate(L0, rotation, method, warnings)
    if method == "pc":
        # principal(): order by the rotated sums of squares (without Phi), then signs
        if nf > 1:
            order = np.argsort(-np.sum(L**2, axis=0), kind="stable")
            L, Phi = L[:, order], Phi[np.ix_(order, order)]
        signs = np.sign(L.sum(axis=0))
        signs[signs == 0] = 1
        L, Phi = L * signs, Phi * np.outer(signs, signs)
        if rotation == "none" or nf == 1:
            prefix = "PC"
        else:
            prefix = "TC" if rotation in ("oblimin", "quartimin") else "RC"
    else:
        # fa(): signs, then order by the variance explained diag(Phi L'L)
        signs = np.sign(L.sum(axis=0))
        signs[signs == 0] = 1
        L, Phi = L * signs, Phi * np.outer(signs, signs)
        if nf > 1:
            order = np.argsort(-np.diag(Phi @ L.T @ L), kind="stable")
            L, Phi = L[:, order], Phi[np.ix_(order, order)]
        prefix = _PREFIX[method]
    return L0, L, Phi, [f"{prefix}{i + 1}" for i in range(nf)]


def _fa_values(R: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Eigenvalues of R with the communalities on the diagonal (psych's ``fa()$values``)."""
    S = R.copy()
    np.fill_diagonal(S, np.sum(L**2, axis=1))
    return np.linalg.eigvalsh(S)[::-1]


def _one_factor_values_batch(Rs: np.ndarray, tol: float = 1e-10, max_iter: int = 50) -> np.ndarray:
    """fa values of a one-factor minres fit for a stack of correlation matrices.

    For one factor, minres minimises :math:`f(l) = \\sum_{i<j}(r_{ij} - l_i l_j)^2`
    over the loading vector; its optimum is the same as psych's search over
    uniquenesses (the loadings are the scaled first eigenvector of the
    reduced matrix).  A few principal-axis steps give a start and Newton's
    method, run on the whole stack at once, finishes; any matrix that does
    not converge, or whose solution touches psych's bounds, is refitted with
    the L-BFGS-B fit.
    """
    B, p, _ = Rs.shape
    idx = np.arange(p)
    off = 1 - np.eye(p)
    S = Rs.copy()
    inv_diag = np.diagonal(np.linalg.inv(Rs), axis1=1, axis2=2)
    h = np.clip(1 - 1 / inv_diag, 0, 0.995)
    for _ in range(10):  # principal-axis iterations: a start near the optimum
        S[:, idx, idx] = h
        lam, V = np.linalg.eigh(S)
        h = np.clip(V[:, :, -1] ** 2 * np.maximum(lam[:, -1:], 0), 0, 0.995)
    lv = V[:, :, -1] * np.sqrt(np.maximum(lam[:, -1:], 0))
    for _ in range(max_iter):
        E = (Rs - lv[:, :, None] * lv[:, None, :]) * off
        g = -2 * np.einsum("bij,bj->bi", E, lv)
        H = -2 * E + 2 * lv[:, :, None] * lv[:, None, :] * off
        H[:, idx, idx] = 2 * (np.sum(lv**2, axis=1, keepdims=True) - lv**2)
        step = np.linalg.solve(H, g[:, :, None])[:, :, 0]
        lv = lv - step
        if np.max(np.abs(g)) < tol:
            break
    E = (Rs - lv[:, :, None] * lv[:, None, :]) * off
    gnorm = np.max(np.abs(2 * np.einsum("bij,bj->bi", E, lv)), axis=1)
    h = lv**2
    S[:, idx, idx] = h
    values = np.linalg.eigvalsh(S)[:, ::-1]
    bad = (gnorm > 1e-8) | (h.max(axis=1) > 0.995)
    for b in np.flatnonzero(bad):
        L, _ = _minres(Rs[b], 1)
        values[b] = _fa_values(Rs[b], L)
    return values


def _cor_batch(Z: np.ndarray) -> np.ndarray:
    Zc = Z - Z.mean(axis=1, keepdims=True)
    C = np.matmul(Zc.transpose(0, 2, 1), Zc)
    d = np.sqrt(np.diagonal(C, axis1=1, axis2=2))
    return C / (d[:, :, None] * d[:, None, :])


# ---------------------------------------------------------------- rotations
def _oblimin(A: np.ndarray, gamma: float = 0.0, eps: float = 1e-6, max_iter: int = 1000):
    """GPArotation's GPFoblq with the oblimin criterion (Bernaards & Jennrich, 2005)."""
    k = A.shape[1]
    off = 1 - np.eye(k)

    def crit(L):
        L2 = L**2
        X = L2 @ off
        if gamma:
            X = X - gamma * np.mean(L2, axis=0, keepdims=True) @ off
        return np.sum(L2 * X) / 4, L * X

    T = np.eye(k)
    L = A @ np.linalg.inv(T).T
    f, Gq = crit(L)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    al = 1.0
    converged = False
    for _ in range(max_iter + 1):
        Gp = G - T * np.sum(T * G, axis=0)
        s = np.sqrt(np.sum(Gp**2))
        if s < eps:
            converged = True
            break
        al *= 2
        for _ in range(11):
            X = T - al * Gp
            Tt = X / np.sqrt(np.sum(X**2, axis=0))
            L = A @ np.linalg.inv(Tt).T
            ft, Gqt = crit(L)
            if f - ft > 0.5 * s**2 * al:
                break
            al /= 2
        T, f = Tt, ft
        G = -(L.T @ Gqt @ np.linalg.inv(Tt)).T
    return L, T.T @ T, converged


def _varimax(x: np.ndarray, eps: float = 1e-5):
    """stats::varimax (Kaiser normalisation), as psych::fa(rotate = "varimax") calls it."""
    sc = np.sqrt(np.sum(x**2, axis=1))
    x = x / sc[:, None]
    p, k = x.shape
    T = np.eye(k)
    d = 0.0
    for _ in range(1000):
        z = x @ T
        B = x.T @ (z**3 - z @ np.diag(np.sum(z**2, axis=0)) / p)
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        d_past, d = d, np.sum(s)
        if d < d_past * (1 + eps):
            break
    return (x @ T) * sc[:, None], T


def _promax(x: np.ndarray, m: int = 4):
    """psych::Promax: varimax, then a least-squares fit to the powered target."""
    xv, T = _varimax(x)
    Q = xv * np.abs(xv) ** (m - 1)
    U = np.linalg.lstsq(xv, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U @ np.diag(np.sqrt(d))
    z = xv @ U
    U = T @ U
    ui = np.linalg.inv(U)
    return z, ui @ ui.T


# ---------------------------------------------------------------- KMO, Bartlett
def _kmo_from_r(R: np.ndarray) -> tuple[float, np.ndarray]:
    Q = _inverse(R, "KMO")
    d = np.sqrt(np.diag(Q))
    P = Q / np.outer(d, d)  # partial correlations (up to sign, which squaring removes)
    np.fill_diagonal(P, 0)
    r = R.copy()
    np.fill_diagonal(r, 0)
    r2, p2 = r**2, P**2
    overall = r2.sum() / (r2.sum() + p2.sum())
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))
    return float(overall), per_item


def _kmo_label(value: float) -> str:
    # Kaiser (1974)'s labels
    for cut, label in [(0.9, "marvelous"), (0.8, "meritorious"), (0.7, "middling"), (0.6, "mediocre"),
                       (0.5, "miserable")]:
        if value >= cut:
            return label
    return "unacceptable"


def _kmo_table(R: np.ndarray, items) -> pd.DataFrame:
    overall, per_item = _kmo_from_r(R)
    values = np.concatenate([[overall], per_item])
    return pd.DataFrame(
        {"msa": values, "verdict": [_kmo_label(v) for v in values]},
        index=pd.Index(["overall", *map(str, items)], name="item"),
    )


def _bartlett(R: np.ndarray, n: int) -> pd.Series:
    p = R.shape[0]
    sign, logdet = np.linalg.slogdet(R)
    if sign <= 0:
        raise CRMInputError("The items' correlation matrix is singular; Bartlett's test needs its determinant.")
    chi2 = -logdet * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) / 2
    return pd.Series({"chi2": chi2, "df": df, "p": float(stats.chi2.sf(chi2, df)), "n": n}, name="bartlett")


@positional_options
def kmo(data, items=None, *, missing="listwise") -> pd.DataFrame:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str, optional
        Item columns (default all columns).
    missing : {"listwise", "pairwise"}, default "listwise"

    Returns
    -------
    pandas.DataFrame
        Indexed by ``"overall"`` and then each item; columns ``msa`` (equal to
        ``psych::KMO``'s ``MSA`` and ``MSAi``) and ``verdict`` (Kaiser's labels:
        marvelous >= .9, meritorious >= .8, middling >= .7, mediocre >= .6,
        miserable >= .5, unacceptable below).

    Notes
    -----
    With correlations :math:`r_{ij}` and partial correlations :math:`q_{ij}`
    (from :math:`R^{-1}`), :math:`MSA = \\sum_{i\\ne j} r_{ij}^2 / (\\sum_{i\\ne j}
    r_{ij}^2 + \\sum_{i\\ne j} q_{ij}^2)`; the per-item value sums over
    :math:`j` only.  Factor analysis needs MSA >= 0.6 at least; drop items
    with a low individual MSA first.

    References
    ----------
    Kaiser, H. F. (1974). An index of factorial simplicity. *Psychometrika*, 39(1), 31-36.

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.kmo(crm.load_dataset("bfi"), [f"N{i}" for i in range(1, 6)]).round(2)
              msa      verdict
    item
    overall  0.80     middling
    N1       0.75     middling
    N2       0.75     middling
    N3       0.83  meritorious
    N4       0.83  meritorious
    N5       0.88  meritorious
    """
    x, _ = prepare_items(data, items, "kmo", missing=missing, min_items=2)
    return _kmo_table(_correlation(x, missing), x.columns)


@positional_options
def bartlett_sphericity(data, items=None, *, missing="listwise") -> pd.Series:
    """Bartlett's test that the items' correlation matrix is an identity matrix.

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str, optional
    missing : {"listwise", "pairwise"}, default "listwise"

    Returns
    -------
    pandas.Series
        ``chi2``, ``df``, ``p`` and ``n`` (rows used), equal to
        ``psych::cortest.bartlett(R, n)``.

    Notes
    -----
    :math:`\\chi^2 = -\\left(n - 1 - \\frac{2p + 5}{6}\\right)\\ln|R|` on
    :math:`p(p-1)/2` degrees of freedom.  A significant test only says that
    the items correlate at all; with a few hundred respondents it is nearly
    always significant, so KMO is the more informative check.

    References
    ----------
    Bartlett, M. S. (1951). The effect of standardization on a chi-square
    approximation in factor analysis. *Biometrika*, 38(3/4), 337-344.

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.bartlett_sphericity(crm.load_dataset("bfi"), [f"N{i}" for i in range(1, 6)]).round(1)
    chi2    4718.5
    df        10.0
    p          0.0
    n       2694.0
    Name: bartlett, dtype: float64
    """
    x, _ = prepare_items(data, items, "bartlett_sphericity", missing=missing, min_items=2)
    return _bartlett(_correlation(x, missing), len(x))


# ---------------------------------------------------------------- parallel analysis
@dataclass(repr=False, eq=False)
class ParallelAnalysisResult(Result):
    """Horn's parallel analysis (:func:`parallel_analysis`).

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by factor/component number: ``fa_observed``, ``fa_simulated``
        (mean), ``fa_simulated_q`` (quantile), ``fa_resampled``,
        ``pc_observed``, ``pc_simulated``, ``pc_simulated_q``, ``pc_resampled``.
    n_factors, n_components : int
        Suggested numbers of factors and of components.
    n_iter, quantile : as requested
    n, n_dropped : int
        Respondents used and rows dropped for missing answers.
    """

    title: ClassVar[str] = "Parallel analysis"
    table: pd.DataFrame
    n_factors: int
    n_components: int
    n_iter: int
    quantile: float
    n: int
    n_dropped: int

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _summary_notes(self):
        return [
            f"Parallel analysis suggests {self.n_factors} factor(s) and {self.n_components} component(s) "
            f"({self.n_iter} simulated data sets, {self.quantile:.0%} quantile)."
        ] + super()._summary_notes()

    def plot(self, ax=None):
        """Scree plot of observed eigenvalues against simulated ones."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        t = self.table
        ax.plot(t.index, t["pc_observed"], "x-", color="tab:blue", label="PC, actual data")
        ax.plot(t.index, t["pc_simulated_q"], ":", color="tab:red", label="PC, simulated")
        ax.plot(t.index, t["fa_observed"], "^-", color="tab:green", label="FA, actual data")
        ax.plot(t.index, t["fa_simulated_q"], "--", color="tab:red", label="FA, simulated")
        ax.axhline(1, color="grey", lw=0.8)
        ax.set_xlabel("factor / component number")
        ax.set_ylabel("eigenvalue")
        ax.set_title(f"Parallel analysis: {self.n_factors} factors, {self.n_components} components")
        ax.legend(fontsize="small")
        return ax


def _leading(observed: np.ndarray, threshold: np.ndarray) -> int:
    below = np.flatnonzero(~(observed > threshold))
    return int(below[0]) if len(below) else len(observed)


def _parallel(x: pd.DataFrame, R: np.ndarray, n_iter: int, quantile: float, seed, n_dropped: int,
              cor: str = "pearson"):
    X = x.to_numpy()
    n, p = X.shape
    pc_obs = np.linalg.eigvalsh(R)[::-1]
    fa_obs = _one_factor_values_batch(R[None])[0]
    rng = np.random.default_rng(seed)
    sim_pc, sim_fa, res_pc, res_fa = [], [], [], []
    chunk = max(1, min(n_iter, 2_000_000 // (n * p)))
    Xn = X[~np.isnan(X).any(axis=1)] if np.isnan(X).any() else X
    # with missing="pairwise" there may be (almost) no complete rows to resample; the resampled
    # eigenvalues are then reported as missing (the suggestion rests on the simulated ones)
    can_resample = len(Xn) >= 3
    for start in range(0, n_iter, chunk):
        b = min(chunk, n_iter - start)
        Rs = _cor_batch(rng.standard_normal((b, n, p)))
        sim_pc.append(np.linalg.eigvalsh(Rs)[:, ::-1])
        sim_fa.append(_one_factor_values_batch(Rs))
        # resampling: every column drawn independently, which keeps each item's
        # distribution but removes the correlations between items
        if not can_resample:
            res_pc.append(np.full((b, p), np.nan))
            res_fa.append(np.full((b, p), np.nan))
            continue
        idx = rng.integers(0, len(Xn), size=(b, len(Xn), p))
        if cor == "poly":
            # as psych's fa.parallel(cor = "poly"): polychorics of every resampled data set
            Rr = np.stack([_polychoric_matrix(pd.DataFrame(Xn[idx[i], np.arange(p)], columns=x.columns),
                                              "parallel_analysis") for i in range(b)])
        else:
            Rr = _cor_batch(Xn[idx, np.arange(p)])
        res_pc.append(np.linalg.eigvalsh(Rr)[:, ::-1])
        res_fa.append(_one_factor_values_batch(Rr))
    sim_pc, sim_fa = np.concatenate(sim_pc), np.concatenate(sim_fa)
    res_pc, res_fa = np.concatenate(res_pc), np.concatenate(res_fa)
    table = pd.DataFrame(
        {
            "fa_observed": fa_obs,
            "fa_simulated": sim_fa.mean(axis=0),
            "fa_simulated_q": np.quantile(sim_fa, quantile, axis=0),
            "fa_resampled": res_fa.mean(axis=0),
            "pc_observed": pc_obs,
            "pc_simulated": sim_pc.mean(axis=0),
            "pc_simulated_q": np.quantile(sim_pc, quantile, axis=0),
            "pc_resampled": res_pc.mean(axis=0),
        },
        index=pd.RangeIndex(1, p + 1, name="number"),
    )
    n_factors = _leading(fa_obs, table["fa_simulated_q"].to_numpy())
    n_components = _leading(pc_obs, table["pc_simulated_q"].to_numpy())
    result = ParallelAnalysisResult(table, n_factors, n_components, n_iter, quantile, n, n_dropped)
    if not can_resample:
        result.warnings.append(f"Only {len(Xn)} respondent(s) answered every item, too few to resample: the "
                               "resampled eigenvalues are missing (the suggestion uses the simulated ones).")
    return result


@positional_options
def parallel_analysis(data, items=None, *, n_iter=20, quantile=0.95, seed=None,
                      missing="listwise", cor="pearson") -> ParallelAnalysisResult:
    """Horn's parallel analysis for the number of factors, as ``psych::fa.parallel``.

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str, optional
    n_iter : int, default 20
        Number of simulated (and of resampled) data sets.
    quantile : float, default 0.95
        Quantile of the simulated eigenvalues an observed one must exceed.
    seed : int, optional
    missing : {"listwise", "pairwise"}, default "listwise"
    cor : {"pearson", "poly"}, default "pearson"
        Correlations analysed.  With ``"poly"`` the observed eigenvalues are
        those of the polychoric matrix and every resampled data set gets its
        own polychoric matrix, while the simulated data stay normal with
        Pearson correlations -- as ``psych::fa.parallel(cor = "poly")``.

    Returns
    -------
    ParallelAnalysisResult
        ``table`` (observed, simulated and resampled eigenvalues), ``n_factors``,
        ``n_components`` and ``plot()`` (the scree plot).

    Notes
    -----
    Factor eigenvalues are those of the correlation matrix with the
    communalities of a one-factor minres solution on the diagonal (psych's
    ``fa()$values``); component eigenvalues those of the correlation matrix
    itself.  The same are computed for ``n_iter`` data sets of independent
    standard-normal variables of the same size, and for ``n_iter`` data sets
    in which every column is resampled on its own.  As in ``psych`` (``fa =
    "both"``), the suggested number of factors (components) is the number of
    leading observed eigenvalues above the ``quantile`` of the simulated ones.
    All simulated correlation matrices are computed in one batch.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor
    analysis. *Psychometrika*, 30(2), 179-185.
    Revelle, W. psych (``fa.parallel``).

    Examples
    --------
    >>> import crm_research as crm
    >>> items = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]
    >>> pa = crm.parallel_analysis(crm.load_dataset("bfi"), items, seed=1)
    >>> pa.n_factors  # as psych's fa.parallel for these 25 items
    6
    """
    func = "parallel_analysis"
    n_iter = check_int(n_iter, "n_iter", func, min_value=1)
    quantile = check_number(quantile, "quantile", func, 0.0, 1.0, inclusive=(False, False))
    seed = check_seed(seed, func)
    x, n_dropped = prepare_items(data, items, func, missing=missing, min_items=3)
    cor = check_choice(cor, "cor", CORRELATIONS, func)
    return _parallel(x, _correlation_matrix(x, missing, cor, func), n_iter, quantile, seed, n_dropped, cor=cor)


# ---------------------------------------------------------------- EFA
@dataclass(repr=False, eq=False)
class EFAResult(Result):
    """Exploratory factor analysis (:func:`efa`).

    Attributes
    ----------
    loadings : pandas.DataFrame
        Pattern matrix (items x factors ``MR1``...), ordered and signed as psych.
    structure : pandas.DataFrame
        Structure matrix (item-factor correlations) = loadings @ factor_correlations.
    communalities, uniquenesses : pandas.Series
    variance : pandas.DataFrame
        Rows ``ss_loadings``, ``proportion_var``, ``cumulative_var``,
        ``proportion_explained``, ``cumulative_proportion`` (psych's ``Vaccounted``).
    factor_correlations : pandas.DataFrame
        Correlations between factors (identity for orthogonal rotations).
    kmo : pandas.DataFrame
        ``msa`` and ``verdict``, overall and per item (:func:`kmo`).
    bartlett : pandas.Series
        ``chi2``, ``df``, ``p``, ``n`` (:func:`bartlett_sphericity`).
    parallel_analysis : ParallelAnalysisResult
    eigenvalues : pandas.Series
        Eigenvalues of the correlation matrix.
    cross_loadings : pandas.DataFrame
        Items loading at least ``cutoff`` on two or more factors.
    fa_values : pandas.Series
        Eigenvalues of the correlation matrix with one-factor communalities (psych's ``fa()$values``).
    n, n_dropped, n_factors, rotation, method, cutoff : as used
    correlation : str
        ``"pearson"`` or ``"poly"`` (polychoric), the matrix that was factored.
    communalities_spss : pandas.DataFrame
        SPSS's "Communalities" table: ``initial`` (squared multiple
        correlations for minres/pa/ml, 1 for principal components) and
        ``extraction`` (the communalities of the solution).
    variance_spss : pandas.DataFrame
        SPSS's "Total Variance Explained": ``initial_total/_pct/_cum_pct``
        (eigenvalues of the correlation matrix), ``extraction_*`` (sums of
        squared unrotated loadings) and ``rotation_total`` (sums of squared
        rotated loadings; with oblique rotations SPSS shows no percentages
        because the factors overlap, nor does this table).
    """

    title: ClassVar[str] = "Exploratory factor analysis"
    loadings: pd.DataFrame
    structure: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    factor_correlations: pd.DataFrame
    kmo: pd.DataFrame
    bartlett: pd.Series
    parallel_analysis: ParallelAnalysisResult
    eigenvalues: pd.Series
    cross_loadings: pd.DataFrame
    n: int
    n_dropped: int
    n_factors: int
    rotation: str
    method: str
    cutoff: float
    fa_values: pd.Series
    correlation: str = "pearson"
    communalities_spss: pd.DataFrame | None = None
    variance_spss: pd.DataFrame | None = None

    @positional_options
    def pattern(self, cutoff: float = 0.3, *, sort: bool = True) -> pd.DataFrame:
        """The loadings as a thesis prints them: small ones blanked, items grouped by factor."""
        cutoff = check_number(cutoff, "cutoff", "EFAResult.pattern", 0.0, 1.0)
        L = self.loadings
        if sort:
            main = L.abs().to_numpy().argmax(axis=1)
            order = sorted(range(len(L)), key=lambda i: (main[i], -abs(L.iloc[i, main[i]])))
            L = L.iloc[order]
        shown = L.where(L.abs() >= cutoff)
        shown["h2"] = self.communalities.loc[L.index]
        return shown

    def to_frame(self) -> pd.DataFrame:
        out = self.loadings.copy()
        out["communality"] = self.communalities
        out["uniqueness"] = self.uniquenesses
        return out

    def _summary_tables(self):
        tables = [
            ("Sampling adequacy (KMO) and Bartlett's test", self.kmo.loc[["overall"]].assign(
                bartlett_chi2=self.bartlett["chi2"], df=self.bartlett["df"], p=self.bartlett["p"])),
            (f"Pattern matrix ({self.method}, {self.rotation}; |loading| < {self.cutoff:g} blanked)",
             self.pattern(cutoff=self.cutoff)),
            ("Variance explained", self.variance),
        ]
        if self.rotation in ("oblimin", "promax"):
            tables.append(("Factor correlations", self.factor_correlations))
        return tables

    def _summary_notes(self):
        notes = [
            f"n = {self.n}; parallel analysis suggests {self.parallel_analysis.n_factors} factor(s); "
            f"{self.n_factors} extracted."
        ]
        if len(self.cross_loadings):
            notes.append(f"Cross-loading items (|loading| >= {self.cutoff:g} on 2+ factors): "
                         f"{', '.join(self.cross_loadings.index)}.")
        return notes + super()._summary_notes()

    @positional_options
    def plot(self, ax=None, *, kind: str = "loadings"):
        """``kind="loadings"``: heat map of the pattern matrix; ``"scree"``: parallel-analysis scree plot."""
        kind = check_choice(kind, "kind", ["loadings", "scree"], "EFAResult.plot")
        if kind == "scree":
            return self.parallel_analysis.plot(ax)
        import matplotlib.pyplot as plt

        L = self.pattern(cutoff=0.0).drop(columns="h2")
        if ax is None:
            _, ax = plt.subplots(figsize=(1.0 * L.shape[1] + 2, 0.32 * len(L) + 1.5))
        im = ax.imshow(L.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(L.shape[1]), L.columns)
        ax.set_yticks(range(len(L)), L.index)
        for i in range(len(L)):
            for j in range(L.shape[1]):
                v = L.iat[i, j]
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if abs(v) > 0.6 else "black")
        ax.figure.colorbar(im, ax=ax, label="loading")
        ax.set_title(f"Pattern matrix ({self.rotation})")
        return ax


# rotation and method come before items: the positional order before 0.2 (positional_options maps it)
@positional_options
def efa(data, n_factors=None, *, rotation="oblimin", method="minres", items=None, missing="listwise",
        n_iter=20, seed=None, cutoff=0.3, scale=None, cor="pearson") -> EFAResult:
    """Exploratory factor analysis with KMO, Bartlett's test and parallel analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers (reverse-coded items need not be recoded: their loadings
        simply come out negative).
    n_factors : int, optional
        Number of factors; default the number suggested by parallel analysis.
    rotation : {"oblimin", "varimax", "promax", "quartimin", "none"}, default "oblimin"
        Oblique rotations (oblimin, promax, quartimin) let factors correlate,
        which is the realistic assumption for questionnaire constructs;
        varimax is SPSS's usual orthogonal choice.  GPArotation's quartimin
        is oblimin with gamma = 0, the same criterion as ``"oblimin"`` here.
    method : {"minres", "pa", "ml", "pc"}, default "minres"
        ``"minres"`` minimum residual (psych's default); ``"pa"`` principal
        axis factoring (SPSS's "Principal axis factoring", psych's iteration:
        SMC start, stop when the communalities' sum changes by < .001, at most
        50 steps); ``"ml"`` maximum likelihood (psych's ``fm = "ml"``, the
        optimum of factanal's criterion); ``"pc"`` principal components as
        ``psych::principal`` (SPSS's default "Principal components": a
        component model, not a factor model -- every communality starts at 1
        and the loadings are inflated relative to factor loadings).
    items : list of str, optional
        Item columns (default all columns).
    missing : {"listwise", "pairwise"}, default "listwise"
    n_iter : int, default 20
        Simulated data sets of the parallel analysis.
    seed : int, optional
        Seed of the parallel analysis.
    cutoff : float, default 0.3
        Smallest loading counted when flagging cross-loadings.
    scale : tuple (min, max), optional
        The answer scale; answers outside it raise an error.
    cor : {"pearson", "poly"}, default "pearson"
        Factor Pearson or polychoric correlations (psych's ``cor = "poly"``;
        two-step ML as :func:`crm_research.sem.polychoric`, within 1e-4 of
        ``psych::polychoric``).  Polychorics suit Likert items with few
        categories or skewed answers; they need whole-number answers and
        complete rows, and make parallel analysis slower (every resampled
        data set gets its own polychoric matrix).

    Returns
    -------
    EFAResult
        See :class:`EFAResult` (``loadings``, ``communalities``, ``variance``,
        ``factor_correlations``, ``kmo``, ``bartlett``, ``parallel_analysis`` ...).

    Notes
    -----
    Minres chooses uniquenesses :math:`\\psi` to minimise
    :math:`\\sum_{i<j}(r_{ij} - (\\Lambda\\Lambda')_{ij})^2`, with
    :math:`\\Lambda` from the first eigenvectors of :math:`R - \\operatorname{diag}\\psi`
    (bounds :math:`0.005 \\le \\psi_i \\le 1`, start :math:`1 - SMC`).  The
    loadings are then rotated (oblimin: quartimin criterion, gradient
    projection from the identity, no Kaiser normalisation, as GPArotation;
    varimax with Kaiser normalisation as ``stats::varimax``; promax with
    power 4 as ``psych::Promax``), each factor's sign chosen to make its
    loadings sum positive and factors ordered by the variance they explain
    (:math:`\\operatorname{diag}(\\Phi\\Lambda'\\Lambda)`).  Loadings equal
    ``psych::fa`` (``psych::principal`` for ``method="pc"``), in psych's
    order and signs (``tests/reference/efa_methods.R``).  A factor's sign is
    arbitrary -- the solution with a factor's loadings all negated fits
    equally well -- so a factor whose items are mostly negatively worded can
    come out "reversed"; read the signs relative to each other.

    References
    ----------
    Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals
    (minres). *Psychometrika*, 31(3), 351-368.
    Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and
    software for arbitrary rotation criteria in factor analysis. *Educational and
    Psychological Measurement*, 65(5), 676-696.
    Fabrigar, L. R., Wegener, D. T., MacCallum, R. C., & Strahan, E. J. (1999).
    Evaluating the use of exploratory factor analysis in psychological research.
    *Psychological Methods*, 4(3), 272-299.

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.load_dataset("bfi")
    >>> items = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]
    >>> result = crm.efa(bfi, n_factors=5, items=items, seed=1)
    >>> result.pattern().head(5).round(2)  # loadings below the cutoff are blank (NaN)
           MR1  MR2  MR3  MR4  MR5    h2
    item
    N1    0.83  NaN  NaN  NaN  NaN  0.68
    N2    0.78  NaN  NaN  NaN  NaN  0.61
    N3    0.70  NaN  NaN  NaN  NaN  0.54
    N5    0.48  NaN  NaN  NaN  NaN  0.35
    N4    0.47  0.4  NaN  NaN  NaN  0.51
    """
    func = "efa"
    rotation = check_choice(rotation, "rotation", ROTATIONS, func)
    method = check_choice(method, "method", METHODS, func)
    n_iter = check_int(n_iter, "n_iter", func, min_value=1)
    seed = check_seed(seed, func)
    cutoff = check_number(cutoff, "cutoff", func, 0.0, 1.0)
    cor = check_choice(cor, "cor", CORRELATIONS, func)
    x, n_dropped = prepare_items(data, items, func, scale=scale, missing=missing, min_items=3)
    p = x.shape[1]
    R = _correlation_matrix(x, missing, cor, func)
    kmo_table = _kmo_table(R, x.columns)
    bart = _bartlett(R, len(x))
    pa = _parallel(x, R, n_iter, 0.95, seed, n_dropped, cor=cor)
    if n_factors is None:
        n_factors = max(pa.n_factors, 1)
    # more factors than this leaves negative degrees of freedom (Ledermann bound)
    max_factors = int(np.floor((2 * p + 1 - np.sqrt(8 * p + 1)) / 2))
    n_factors = check_int(n_factors, "n_factors", func, min_value=1, max_value=max(max_factors, 1))
    warnings = []
    L0, L, Phi, names = _fa_solution(R, n_factors, method, rotation, warnings)
    model = L0 @ L0.T
    items_idx = pd.Index(x.columns, name="item")
    loadings = pd.DataFrame(L, index=items_idx, columns=names)
    communality = pd.Series(np.diag(model), index=items_idx, name="communality")
    uniqueness = pd.Series(np.diag(R - model), index=items_idx, name="uniqueness")
    if np.any(communality > 1):
        warnings.append("An ultra-Heywood case (communality > 1) was found: examine the solution.")
    vx = np.diag(Phi @ L.T @ L)
    vtotal = float(np.sum(communality + uniqueness))
    variance = pd.DataFrame(
        [vx, vx / vtotal, np.cumsum(vx / vtotal), vx / vx.sum(), np.cumsum(vx / vx.sum())],
        index=["ss_loadings", "proportion_var", "cumulative_var", "proportion_explained", "cumulative_proportion"],
        columns=names,
    )
    eigen = np.linalg.eigvalsh(R)[::-1]
    initial = np.ones(p) if method == "pc" else _smc(R)
    communalities_spss = pd.DataFrame({"initial": initial, "extraction": communality.to_numpy()},
                                      index=items_idx)
    variance_spss = _spss_variance(eigen, L0, vx, method, rotation)
    phi = pd.DataFrame(Phi, index=names, columns=names)
    strong = (loadings.abs() >= cutoff).sum(axis=1)
    cross = loadings[strong >= 2]
    if kmo_table.loc["overall", "msa"] < 0.6:
        warnings.append(f"Overall KMO = {kmo_table.loc['overall', 'msa']:.2f} < 0.6: the items share too "
                        "little variance for factor analysis.")
    if n_dropped:
        warnings.append(f"{n_dropped} row(s) with missing answers were dropped (listwise)." if missing == "listwise"
                        else f"{n_dropped} row(s) with no answer on any item were dropped.")
    result = EFAResult(
        loadings=loadings,
        structure=pd.DataFrame(L @ Phi, index=items_idx, columns=names),
        communalities=communality,
        uniquenesses=uniqueness,
        variance=variance,
        factor_correlations=phi,
        kmo=kmo_table,
        bartlett=bart,
        parallel_analysis=pa,
        eigenvalues=pd.Series(eigen, index=pd.RangeIndex(1, p + 1), name="eigenvalue"),
        cross_loadings=cross,
        n=len(x),
        n_dropped=n_dropped,
        n_factors=n_factors,
        rotation=rotation,
        method=method,
        cutoff=cutoff,
        # principal() reports the eigenvalues of R itself as its values
        fa_values=pd.Series(eigen if method == "pc" else _fa_values(R, L0), index=pd.RangeIndex(1, p + 1),
                            name="fa_value"),
        correlation=cor,
        communalities_spss=communalities_spss,
        variance_spss=variance_spss,
    )
    result.warnings.extend(warnings)
    return result



# ---------------------------------------------------------------- omega (Schmid-Leiman)
@dataclass(repr=False, eq=False)
class OmegaResult(Result):
    """McDonald's omega hierarchical and omega total (:func:`omega`).

    Attributes
    ----------
    omega_h : float
        Omega hierarchical: the share of the total score's variance due to the
        general factor, :math:`(\\sum g_i)^2 / \\mathbf 1'R\\mathbf 1`.
    omega_total : float
        Omega total: the share due to all common factors,
        :math:`1 - \\sum u^2_i / \\mathbf 1'R\\mathbf 1`.
    alpha : float
        Standardised alpha from the same correlation matrix.
    omega_limit : float
        omega_h / omega_total (psych's ``omega.lim``): the share of the
        reliable variance that is general.
    loadings : pandas.DataFrame
        The Schmid-Leiman solution: ``g``, ``F1*``... (group factors with the
        general factor partialled out), ``h2``, ``u2`` and ``p2`` (share of the
        communality due to g), equal to psych's ``omega()$schmid$sl``.
    groups : pandas.DataFrame
        Omega total, general and group for the whole scale (row ``g``) and for
        the items of each group factor (psych's ``omega.group``).
    keys : pandas.Series
        +1 / -1: items psych's omega reverses because they load negatively on g.
    factor_correlations : pandas.DataFrame
        Correlations of the oblimin factors the general factor is extracted from.
    n, n_dropped, n_factors : int
    correlation : str
    """

    title: ClassVar[str] = "Omega (Schmid-Leiman)"
    omega_h: float
    omega_total: float
    alpha: float
    omega_limit: float
    loadings: pd.DataFrame
    groups: pd.DataFrame
    keys: pd.Series
    factor_correlations: pd.DataFrame
    n: int
    n_dropped: int
    n_factors: int
    correlation: str

    def to_frame(self) -> pd.DataFrame:
        return self.loadings.copy()

    def _summary_tables(self):
        coef = pd.DataFrame({"value": [self.omega_h, self.omega_total, self.alpha, self.omega_limit]},
                            index=["omega_h", "omega_total", "alpha", "omega_h / omega_total"])
        return [("Omega / امگا", coef), ("Schmid-Leiman loadings", self.loadings),
                ("Omega by group factor", self.groups)]

    def _summary_notes(self):
        notes = [f"n = {self.n}; {self.n_factors} group factors (minres, oblimin) and one general factor."]
        if (self.keys < 0).any():
            notes.append("Reversed because they load negatively on g: "
                         f"{', '.join(self.keys.index[self.keys < 0])}.")
        return notes + super()._summary_notes()

    def plot(self, ax=None):
        """Heat map of the Schmid-Leiman loadings (general factor g and the group factors)."""
        import matplotlib.pyplot as plt

        L = self.loadings.drop(columns=["h2", "u2", "p2"])
        if ax is None:
            _, ax = plt.subplots(figsize=(1.0 * L.shape[1] + 2, 0.32 * len(L) + 1.5))
        im = ax.imshow(L.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(L.shape[1]), L.columns)
        ax.set_yticks(range(len(L)), L.index)
        for i in range(len(L)):
            for j in range(L.shape[1]):
                v = L.iat[i, j]
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if abs(v) > 0.6 else "black")
        ax.figure.colorbar(im, ax=ax, label="loading")
        ax.set_title(f"Schmid-Leiman: omega_h = {self.omega_h:.2f}, omega_t = {self.omega_total:.2f}")
        return ax


def _schmid_leiman(R: np.ndarray, nf: int, warnings: list):
    """psych's schmid(): minres + varimax, oblimin, one minres factor of the factor correlations."""
    _, Lv, _, _ = _fa_solution(R, nf, "minres", "varimax", warnings)
    h2 = np.sum(Lv**2, axis=1)
    fload, Phi, ok = _oblimin(Lv)
    if not ok:
        warnings.append("The oblimin rotation did not converge in 1000 iterations.")
    if nf > 2:
        gload, _ = _minres(Phi, 1)
        gload = gload[:, 0]
    else:
        # two group factors do not identify g: psych's option = "equal" sets both loadings to sqrt(|r|)
        r12 = Phi[0, 1]
        gload = np.array([np.sqrt(abs(r12)), np.sign(r12) * np.sqrt(abs(r12))])
        warnings.append("Two group factors do not identify a general factor: its loadings on them are set "
                        "equal (psych's option = 'equal'); use at least three factors.")
    g = fload @ gload
    uniq2 = np.maximum(fload**2 * (1 - gload**2), 0)
    sm = np.sign(fload) * np.sqrt(uniq2)
    return g, sm, h2, Phi


def omega(data, n_factors=3, *, items=None, missing="listwise", cor="pearson") -> OmegaResult:
    """Omega hierarchical and omega total via the Schmid-Leiman transformation, as ``psych::omega``.

    Parameters
    ----------
    data : pandas.DataFrame
    n_factors : int, default 3
        Number of group factors (psych's ``nfactors``); at least 3 identify
        the general factor, with 2 its loadings are set equal.
    items : list of str, optional
        Item columns (default all columns).
    missing : {"listwise", "pairwise"}, default "listwise"
    cor : {"pearson", "poly"}, default "pearson"
        Polychoric correlations (``omega(..., poly = TRUE)``) for Likert items.

    Returns
    -------
    OmegaResult
        ``omega_h``, ``omega_total``, ``alpha``, ``omega_limit``, the
        Schmid-Leiman ``loadings`` and per-factor ``groups``.

    Notes
    -----
    A minres solution with ``n_factors`` factors is rotated (varimax, then
    GPArotation's oblimin), one minres factor is extracted from the factor
    correlations, and the general factor's loadings are
    :math:`g = \\Lambda\\gamma`; the group loadings are
    :math:`\\lambda_{ik}\\sqrt{1 - \\gamma_k^2}`.  Items loading negatively on
    g are reversed first (psych's ``flip = TRUE``).  With
    :math:`V = \\mathbf 1'R\\mathbf 1` (after reversing),
    :math:`\\omega_h = (\\sum g_i)^2 / V` and :math:`\\omega_t = 1 - \\sum u_i^2/V`,
    where :math:`u_i^2 = 1 - h_i^2` are the uniquenesses of the minres solution.
    Omega hierarchical tells how far a total score reflects one general
    construct: the nearer omega_h is to omega_total, the more of the total
    score's reliable variance is general (no universal cut-off is given here).

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
    Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor
    solutions. *Psychometrika*, 22(1), 53-61.
    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha,
    Revelle's beta, and McDonald's omega_h. *Psychometrika*, 70(1), 123-133.

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.load_dataset("bfi")
    >>> om = crm.omega(bfi, 3, items=[f"{c}{i}" for c in "ACE" for i in range(1, 6)])
    >>> round(om.omega_h, 2) <= round(om.omega_total, 2)
    True
    """
    func = "omega"
    cor = check_choice(cor, "cor", CORRELATIONS, func)
    x, n_dropped = prepare_items(data, items, func, missing=missing, min_items=3)
    p = x.shape[1]
    max_factors = int(np.floor((2 * p + 1 - np.sqrt(8 * p + 1)) / 2))
    n_factors = check_int(n_factors, "n_factors", func, min_value=2, max_value=max(max_factors, 2))
    R = _correlation_matrix(x, missing, cor, func)
    warnings: list = []
    g, sm, h2, Phi = _schmid_leiman(R, n_factors, warnings)
    key = np.sign(g)
    key[key == 0] = 1
    m = R * np.outer(key, key)
    g, sm = g * key, sm * key[:, None]
    u2 = np.diag(R) - h2
    Vt = float(m.sum())
    gsq = float(g.sum() ** 2)
    omega_total = (Vt - u2.sum()) / Vt
    items_idx = pd.Index(x.columns, name="item")
    names = [f"F{k + 1}*" for k in range(n_factors)]
    sl = pd.DataFrame(sm, index=items_idx, columns=names)
    sl.insert(0, "g", g)
    sl["h2"], sl["u2"], sl["p2"] = h2, u2, g**2 / h2
    # per group factor: the items whose largest group loading is on it (psych's omega.group)
    main = np.abs(sm).argmax(axis=1)
    rows = {"g": (omega_total, gsq / Vt, 0.0)}
    grs = 0.0
    for k in range(n_factors):
        idx = np.flatnonzero(main == k)
        if len(idx) == 0:
            rows[names[k]] = (np.nan, np.nan, np.nan)
            continue
        vgr = float(m[np.ix_(idx, idx)].sum())
        gr, gg = float(sm[idx, k].sum()), float(g[idx].sum())
        grs += gr**2
        rows[names[k]] = ((gr**2 + gg**2) / vgr, gg**2 / vgr, gr**2 / vgr)
    rows["g"] = (omega_total, gsq / Vt, grs / Vt)
    groups = pd.DataFrame.from_dict(rows, orient="index", columns=["total", "general", "group"])
    fnames = [f"F{k + 1}" for k in range(n_factors)]
    result = OmegaResult(
        omega_h=gsq / Vt,
        omega_total=float(omega_total),
        alpha=(Vt - float(np.trace(m))) / Vt * p / (p - 1),
        omega_limit=gsq / (Vt - u2.sum()),
        loadings=sl,
        groups=groups,
        keys=pd.Series(key.astype(int), index=items_idx, name="key"),
        factor_correlations=pd.DataFrame(Phi, index=fnames, columns=fnames),
        n=len(x),
        n_dropped=n_dropped,
        n_factors=n_factors,
        correlation=cor,
    )
    result.warnings.extend(warnings)
    return result
